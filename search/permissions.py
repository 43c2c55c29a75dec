"""Turn a user into the Reader every backend filters with; the rules themselves are the communities app's."""

from communities import permissions as community_permissions

from .documents import Access, Reader


def reader_for(user):
    if community_permissions.is_staff(user):
        return Reader(is_staff=True, is_authenticated=True)
    if not user.is_authenticated:
        return Reader()
    return Reader(is_authenticated=True, community_ids=community_permissions.readable_community_ids(user) or [])


def may_read(reader, document):
    """The same rule the backends apply in their queries, for one document (used by tests and the outbox)."""
    if reader.is_staff or document.access == Access.PUBLIC:
        return True
    if document.access == Access.MEMBERS:
        return reader.is_authenticated
    return document.community_id in reader.community_ids
