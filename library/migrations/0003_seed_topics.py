from django.db import migrations
from django.utils.text import slugify

TOPICS = [
    ("Performance management", "Frameworks, indicators, targets and reporting."),
    ("Customer insight", "Knowing residents' needs: segmentation, surveys, feedback."),
    ("Contact centres", "Call handling, resolution, web chat and customer service centres."),
    ("Channel strategy", "Channel shift, digital take-up and cost per contact."),
    ("National indicators", "NI14 avoidable contact and the National Indicator Set."),
    ("Co-production", "Designing and delivering services with residents."),
    ("Scrutiny", "Overview and scrutiny committees and accountability."),
    ("Digital transformation", "Online services, websites and digital inclusion."),
    ("Benchmarking", "Comparing performance with peers and family groups."),
    ("Complaints", "Handling, learning from and reporting complaints."),
    ("Total Place", "Place-based working across public services."),
]


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("library", "Topic")
    for name, description in TOPICS:
        Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("library", "0002_topics_and_slide_decks")]

    operations = [migrations.RunPython(seed_topics, migrations.RunPython.noop)]
