"""The platform's rules as the permission matrix states them: who may read which content, and how a refusal looks.

The matrix modules check the code against these; the code decides in ``<app>/permissions.py``. Roles are the
people in ``matrix_support.build_world``:

- visitor: not signed in;
- unverified, member, facilitator: in every scene's community (unverified has no verified email; facilitator
  facilitates each scene's community);
- outsider: a member of "elsewhere" only; other_facilitator: facilitates "elsewhere" only;
- editor: in Wagtail's Editors group (the admin and its pages), in no community, not staff: on the site an
  editor reads as any signed-in member of no community does;
- staff: ``is_staff``, in no community: reads everything ``communities.permissions`` lets staff read.

Each visibility is a scene holding a thread, a deck, a roundup and a case study, with a secret word of its own:

- public / members / private: a community of that visibility and what it holds, all published;
- hidden: a public community where a facilitator hid a thread and, in another thread, a post. Facilitators of
  the community and staff read them (marked as hidden); nobody else does, a roundup that names the hidden
  thread shows it to nobody, and search never finds it. A slide deck has no hidden state: one still being
  processed, or whose processing failed, is shown to its community's readers with a notice, so this scene's deck
  (failed, no secret) is as public as its community. A case study under review is not live: 404 for everyone
  on the site; its reviewers read it in the admin.
- draft: a community page taken off line (not live), with its thread and deck; an unpublished roundup of the
  public community; a case study saved as a draft. Wagtail serves no page that is not live, so every one of
  those URLs is 404 for everyone, staff included; editors and the roundup's compilers read drafts in the admin
  (editor and preview) only. An unpublished community page is previewed by nobody: its preview is served by the
  community's own view, which admits staff alone (who may not open the admin). Staff alone read what the unpublished community holds where it is served outside
  the page tree (its deck's page and files), as ``communities.permissions.can_read_forum`` allows staff; search
  finds none of it, for anyone.
"""

VISIBILITIES = ["public", "members", "private", "hidden", "draft"]
ROLES = ["visitor", "unverified", "member", "outsider", "facilitator", "other_facilitator", "editor", "staff"]

COMMUNITY_MEMBERS = {"unverified", "member", "facilitator"}  # in every scene's community
READERS = COMMUNITY_MEMBERS | {"staff"}
MODERATORS = {"facilitator", "staff"}
POSTERS = {"member", "facilitator", "staff"}  # members with a verified email address, and staff
ADMIN_USERS = {"facilitator", "other_facilitator", "editor"}  # may open the Wagtail admin (staff alone may not)

LOGIN = "login"  # a refusal that sends a visitor to sign in (a redirect to the sign-in page)


def secret(visibility):
    """A word found nowhere else: in the scene's thread, deck, roundup and case study."""
    return f"quillback{visibility}"


def sees_community(role, visibility):
    """Whether the community's pages exist for the role: a private one is invisible to outsiders, a draft to all."""
    if visibility == "draft":
        return False
    return visibility != "private" or role in READERS


def reads_forum(role, visibility):
    """Whether the role reads the community's discussions, library tab and roundups."""
    if visibility == "draft":
        return False
    return visibility in {"public", "hidden"} or role in READERS


def can_read(role, visibility):
    """Whether the role may see the scene's secret anywhere on the site or in an email."""
    return {
        "public": True,
        "members": role in READERS,
        "private": role in READERS,
        "hidden": role in MODERATORS,
        "draft": role == "staff",
    }[visibility]


def refusal(role, visibility):
    """How a community's view says no: invisible things are 404, a visitor signs in first, others get 403."""
    if not sees_community(role, visibility):
        return 404
    return LOGIN if role == "visitor" else 403
