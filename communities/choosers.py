"""The admin's discussion chooser (for roundup items): only threads the editing user may read."""

from cop_site.choosers import readable_chooser

from . import queries
from .models import Thread


def _readable(user):
    return queries.readable_threads(user).select_related("community")


thread_chooser_viewset = readable_chooser(
    "thread_chooser", Thread, _readable, icon="comment", noun="discussion", ordering=["-last_post_at", "-pk"]
)
ThreadChooserBlock = thread_chooser_viewset.get_block_class(name="ThreadChooserBlock", module_path="communities.choosers")
