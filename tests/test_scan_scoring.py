"""The learning-culture scan's questionnaire and scoring (groundwork for issue 8), with
hand-computed expectations, reverse-scored items and the group-of-five threshold."""
import pytest

from community.scan import scoring


def _answers(variant="employee", value=4, **overrides):
    items = scoring.all_items(scoring.questionnaire(), variant)
    answers = {item["code"]: value for item in items}
    answers.update(overrides)
    return answers


def test_questionnaire_shape():
    data = scoring.questionnaire()
    assert data["version"] == 1
    assert len(data["dimensions"]) == 6
    for dimension in data["dimensions"]:
        assert 4 <= len(dimension["items"]) <= 6, dimension["code"]
        assert dimension["name"]["nl"] and dimension["name"]["en"]
        assert any(item.get("reverse") for item in dimension["items"]), dimension["code"]
    management = scoring.all_items(data, "management")
    assert {item["dimension"] for item in management} == {d["code"] for d in data["dimensions"]}
    # Answerable in under ten minutes: well under 60 items at ~10 seconds each.
    assert len(scoring.all_items(data, "employee")) <= 40


def test_reverse_scored_items_count_the_other_way():
    assert scoring.item_score(5) == 5
    assert scoring.item_score(5, reverse=True) == 1
    assert scoring.item_score(2, reverse=True) == 4


def test_respondent_scores_by_hand():
    # Room to learn: rl1..rl5 with rl3 reversed. Answers 5, 4, 2 (-> 4), 3, 5: mean 21/5 = 4.2.
    answers = _answers(rl1=5, rl2=4, rl3=2, rl4=3, rl5=5)
    scores = scoring.respondent_scores(answers)
    assert scores["room_to_learn"] == pytest.approx(4.2)
    # Feedback: all 4, fb4 reversed (-> 2): (4 + 4 + 4 + 2) / 4 = 3.5.
    assert scores["feedback"] == pytest.approx(3.5)


@pytest.mark.parametrize("change", [
    {"rl1": 0}, {"rl1": 6}, {"rl1": "4"}, {"rl1": 3.5}, {"rl1": True}, {"rl1": None}, {"unknown": 3},
])
def test_bad_answers_are_refused(change):
    with pytest.raises(scoring.AnswersInvalid):
        scoring.validate(_answers(**change))


def test_missing_answers_are_refused():
    answers = _answers()
    del answers["fb2"]
    with pytest.raises(scoring.AnswersInvalid) as error:
        scoring.validate(answers)
    assert error.value.missing == ["fb2"]
    with pytest.raises(scoring.AnswersInvalid):
        scoring.validate("not a dict")


def test_four_respondents_show_nothing_five_show_figures():
    four = [scoring.respondent_scores(_answers(value=v)) for v in (1, 2, 4, 5)]
    result = scoring.aggregate(four)
    assert result.n == 4 and not result.shown and result.dimensions == {}
    assert scoring.weakest(result) == []
    five = four + [scoring.respondent_scores(_answers(value=3))]
    result = scoring.aggregate(five)
    assert result.shown and result.n == 5
    # Leadership: ld1..ld3 plus reversed ld4. Answering v everywhere gives (3v + 6 - v) / 4.
    expected = [(3 * v + 6 - v) / 4 for v in (1, 2, 4, 5, 3)]  # 2.0, 2.5, 3.5, 4.0, 3.0
    mean = sum(expected) / 5
    spread = (sum((x - mean) ** 2 for x in expected) / 4) ** 0.5
    assert result.dimensions["leadership"].mean == pytest.approx(round(mean, 2))
    assert result.dimensions["leadership"].spread == pytest.approx(round(spread, 2))


def test_weakest_dimensions():
    low_feedback = [scoring.respondent_scores(_answers(fb1=1, fb2=1, fb3=1, fb4=5)) for _ in range(5)]
    assert scoring.weakest(scoring.aggregate(low_feedback), count=1) == ["feedback"]


def test_management_version_scores_the_same_dimensions():
    scores = scoring.respondent_scores(_answers("management", value=5), variant="management")
    assert set(scores) == {d["code"] for d in scoring.questionnaire()["dimensions"]}
    # m_rl2 is reversed: (5 + 1) / 2 = 3.0 for room to learn.
    assert scores["room_to_learn"] == pytest.approx(3.0)
