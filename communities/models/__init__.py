from .forum import POSTS_PER_PAGE, THREADS_PER_PAGE, Post, PostRevision, Thread, ThreadRead
from .membership import Membership
from .moderation import Flag, ModerationLog
from .notifications import Notification, Watch
from .pages import CommunityIndexPage, CommunityPage
from .profiles import Profile

__all__ = [
    "POSTS_PER_PAGE", "THREADS_PER_PAGE", "CommunityIndexPage", "CommunityPage", "Flag", "Membership",
    "ModerationLog", "Notification", "Post", "PostRevision", "Profile", "Thread", "ThreadRead", "Watch",
]
