import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

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


def create_member(**kwargs):
    profile_fields = {key: kwargs.pop(key) for key in list(kwargs) if key in {"display_name", "organisation", "job_title", "bio"}}
    user = UserFactory(**kwargs)
    if profile_fields:
        for key, value in profile_fields.items():
            setattr(user.profile, key, value)
        user.profile.save()
    return user
