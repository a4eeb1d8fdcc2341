"""The factories make valid state through the real actions: each thing is readable by who should
read it and belongs where it says."""
from community import permissions


def test_content_factories_make_valid_content(factories):
    community = factories.community()
    discussion = factories.discussion(community)
    reply = factories.reply(discussion)
    case = factories.case(community)
    draft = factories.case(community, author=case.author, publish=False)
    assert permissions.is_community_member(discussion.author, community)
    assert permissions.is_community_member(reply.author, community) and reply.author_id != discussion.author_id
    assert reply.discussion_id == discussion.id and reply.number == 1
    assert (case.status, draft.status) == ("published", "draft") and case.discussion is not None


def test_trajectory_and_scan_round_factories(factories):
    community = factories.community()
    coach = factories.community_member(community).user
    trajectory = factories.trajectory(community, visibility="confidential", participants=[(coach, "coach")],
                                      milestones=["Eerste las", "Tweede las"])
    assert trajectory.community_id == community.id and trajectory.status == "concept"
    assert permissions.trajectory_role(coach, trajectory) == "coach"
    assert [m.title for m in trajectory.milestones] == ["Eerste las", "Tweede las"]
    company, manager = factories.company_with_manager()
    assert permissions.is_organisation_manager(manager, company)
    scan_round = factories.scan_round(company, manager)
    assert scan_round.organisation_id == company.id
