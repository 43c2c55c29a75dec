import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from communities.models import CommunityPage, Membership
from communities.permissions import forget_memberships

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Members have a verified email unless built with verified=False."""
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=extracted is not False)


def create_people():
    """One user per role the permission rules know about."""
    return {
        "outsider": create_member(username="olive", display_name="Olive Outsider"),
        "member": create_member(username="mo", display_name="Mo Member"),
        "facilitator": create_member(username="fay", display_name="Fay Facilitator"),
        "other_facilitator": create_member(username="otto", display_name="Otto Elsewhere"),
        "staff": create_member(username="stella", display_name="Stella Staff", is_staff=True),
        "unverified": create_member(username="una", display_name="Una Unverified", verified=False),
        "editor": create_editor(username="edith", display_name="Edith Editor"),
    }


def create_editor(**kwargs):
    """A Wagtail editor: in the Editors group (admin access, page permissions), in no community, not staff."""
    user = create_member(**kwargs)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def create_member(**kwargs):
    profile_fields = {key: kwargs.pop(key) for key in list(kwargs) if key in {"display_name", "organisation", "job_title", "bio"}}
    user = UserFactory(**kwargs)
    if profile_fields:
        for key, value in profile_fields.items():
            setattr(user.profile, key, value)
        user.profile.save()
    return user


def add_community(home, slug, visibility="public", join_policy="open", title=None):
    index = home.get_children().get(slug="communities").specific
    return index.add_child(instance=CommunityPage(
        title=title or slug.replace("-", " ").title(), slug=slug, summary=f"About {slug}.",
        visibility=visibility, join_policy=join_policy,
    ))


def add_member(user, community, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE):
    membership = Membership.objects.create(user=user, community=community, role=role, status=status)
    forget_memberships(user)  # the user object may have cached its memberships already
    return membership
