"""Two satisfaction indicators, never added together (issue 14): the counter's 5-level ratings and the
citizens' ratings of the answer to their own case, each with its sample size and its source."""
from feedback.extensions import db
from feedback.models import Rating
from tests import factories


def test_answer_ratings_are_not_mixed_into_the_counter_index(client, app):
    """Finding: the index added the answer rating (stored as 4 or 2) to the 5-level counter ratings."""
    tree = factories.province_tree()
    unit = tree["a"]
    for score in (5, 5, 1, 1):  # the counter: 50 %
        db.session.add(Rating(unit_id=unit.id, score=score, source="kiosk"))
    for score in (4, 4, 4):  # the answers: 100 %
        db.session.add(Rating(unit_id=unit.id, score=score, source="answer"))
    db.session.commit()
    data = client.get(f"/statistics.json?unit={unit.code}").get_json()
    assert data["ratings"] == 4 and data["satisfaction_index"] == 50.0
    assert data["answer_ratings"] == 3 and data["answer_satisfaction"] == 100.0
    page = client.get(f"/statistics?unit={unit.code}").get_data(as_text=True)
    assert 'id="stat-answer-satisfaction"' in page and "4 lượt đánh giá tại quầy" in page
    assert "3 lượt đánh giá câu trả lời" in page and "Sở Nội vụ điều tra" in page
    csv = client.get(f"/statistics.csv?unit={unit.code}").get_data(as_text=True)
    assert "answer_satisfaction,answer_satisfaction" in csv
