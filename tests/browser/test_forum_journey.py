from playwright.sync_api import expect

from communities.models import CommunityPage, Membership
from cop_site.site_structure import ensure_site_structure
from tests.factories import PASSWORD, create_member


def test_member_joins_by_approval_starts_a_thread_and_hears_about_a_quoted_reply(page, sign_in):
    home = ensure_site_structure()
    community = home.get_children().get(slug="communities").specific.add_child(instance=CommunityPage(
        title="Scrutiny and Accountability", slug="scrutiny", summary="Committees sharing reviews.",
        visibility="members", join_policy="approval",
    ))
    facilitator = create_member(username="gwen", display_name="Gwen Pritchard")
    Membership.objects.create(user=facilitator, community=community, role=Membership.Role.FACILITATOR)
    newcomer = create_member(username="rhys", display_name="Rhys Bowen")
    colleague = create_member(username="ann", display_name="Ann Carter")
    Membership.objects.create(user=colleague, community=community)

    sign_in(newcomer.email, PASSWORD)
    page.goto("/communities/scrutiny/")
    page.get_by_role("button", name="Ask to join").click()
    page.get_by_label("Why would you like to join?").fill("I support our scrutiny committee at Riverside.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_text("Your request has been sent.")).to_be_visible()

    sign_in(facilitator.email, PASSWORD)
    page.goto("/communities/scrutiny/requests/")
    expect(page.get_by_text("I support our scrutiny committee at Riverside.")).to_be_visible()
    page.get_by_role("button", name="Approve Rhys Bowen").click()
    expect(page.get_by_text("Rhys Bowen is now a member.")).to_be_visible()

    sign_in(newcomer.email, PASSWORD)
    page.goto("/communities/scrutiny/forum/")
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("Questions that work when scrutinising a contact centre")
    page.get_by_label("Your message").fill("Which questions got you real answers from directors?")
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Questions that work when scrutinising a contact centre")

    sign_in(colleague.email, PASSWORD)
    page.goto("/communities/scrutiny/forum/")
    page.get_by_role("link", name="Questions that work when scrutinising a contact centre").click()
    page.get_by_role("link", name="Quote").first.click()
    reply = page.get_by_label("Your reply")
    expect(reply).to_have_value("Rhys Bowen wrote:\n\n> Which questions got you real answers from directors?\n\n")
    reply.press("Control+End")
    reply.type("Asking what changes for residents without internet access.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator(".quote-source")).to_contain_text("In reply to Rhys Bowen's post")

    sign_in(newcomer.email, PASSWORD)
    bell = page.get_by_role("link", name="Notifications")
    expect(bell).to_contain_text("2 unread")  # the approval, then the quoted reply
    bell.click()
    page.get_by_role("link", name="Questions that work when scrutinising a contact centre").first.click()
    expect(page.get_by_text("Asking what changes for residents without internet access.")).to_be_visible()
