from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

AVATAR_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
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
