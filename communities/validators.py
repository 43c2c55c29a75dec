import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

AVATAR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
AVATAR_EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
UNREADABLE_AVATAR = "That file is not a picture we can read. Please upload a PNG, JPEG, GIF or WebP image."


def validate_avatar(upload):
    """Accept only real raster images of a modest size, whatever the file is called."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            "That picture is %(size)s; the limit is %(limit)s.",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(settings.AVATAR_MAX_BYTES)},
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(UNREADABLE_AVATAR)
    finally:
        upload.seek(position)
    if image_format not in AVATAR_FORMATS:
        raise ValidationError("Please upload a PNG, JPEG, GIF or WebP image.")


def avatar_path(profile, filename):
    """A fresh random name whose extension matches the picture's real format, whatever the member called it.

    Avatars are public files served by name, so the name decides their Content-Type: it must never come from
    the upload, and it should not carry the member's own file name into a public URL either.
    """
    extension = "img"
    upload = profile.avatar
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            extension = AVATAR_EXTENSIONS.get(image.format, extension)
    except (UnidentifiedImageError, OSError, ValueError):
        pass  # validate_avatar has refused it already
    finally:
        upload.seek(0)
    return f"avatars/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"
