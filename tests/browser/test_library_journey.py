from playwright.sync_api import expect

from cop_site.site_structure import ensure_site_structure
from library.models import Topic
from tests.factories import PASSWORD, add_community, add_member, create_member
from tests.library.files import pdf_bytes


def test_member_uploads_a_deck_and_sees_its_thumbnail(page, sign_in, tmp_path):
    home = ensure_site_structure()
    Topic.objects.get_or_create(slug="contact-centres", defaults={"name": "Contact centres"})  # seeded data is gone after a flush
    community = add_community(home, "contact-centres", title="Contact Centres")
    member = create_member(username="tom", display_name="Tom Ellery")
    add_member(member, community)
    slides = tmp_path / "first-contact-resolution.pdf"
    slides.write_bytes(pdf_bytes(pages=4, title="First-contact resolution"))

    sign_in(member.email, PASSWORD)
    page.goto("/communities/contact-centres/library/")
    page.get_by_role("link", name="Share a slide deck").click()
    page.get_by_label("Title").fill("Resolution, not just response")
    page.get_by_label("Share with").select_option(label="Contact Centres")
    page.get_by_label("Contact centres").check()
    page.get_by_label("Event").fill("Contact Centre Managers' Forum")
    page.get_by_label("Slides (PDF or PowerPoint .pptx)").set_input_files(slides)
    page.get_by_role("button", name="Share deck").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Resolution, not just response")
    thumbnail = page.locator("aside img.card-thumb")
    expect(thumbnail).to_have_attribute("alt", "Resolution, not just response")
    expect(thumbnail).to_have_js_property("complete", True)
    assert thumbnail.evaluate("img => img.naturalWidth") > 0
    expect(page.get_by_role("img", name="Resolution, not just response: slide 4")).to_be_visible()

    page.goto("/communities/contact-centres/library/")
    card_image = page.locator(".library-card img")
    expect(card_image).to_have_attribute("alt", "Resolution, not just response")
    assert card_image.evaluate("img => img.complete && img.naturalWidth > 0")
