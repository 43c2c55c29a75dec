from django_tasks import task

from .indexing import apply_all


@task()
def apply_index_changes():
    """Apply whatever index changes are waiting, for every backend. Running it twice is harmless."""
    apply_all()
