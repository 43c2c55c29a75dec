from django.db import models


class ImportRun(models.Model):
    """One copy of the product's forum into Spirit: what the source held, so an unchanged source is not copied again."""

    source_summary = models.JSONField(help_text="Row counts and highest ids of the source's forum tables.")
    counts = models.JSONField(help_text="What went across: source and Spirit row counts side by side.")
    seconds = models.FloatField()
    finished_at = models.DateTimeField(auto_now_add=True)
