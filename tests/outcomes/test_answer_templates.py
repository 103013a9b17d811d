"""Answer templates fill every placeholder (issue 14): a handler who does not rewrite the draft never sends
"{unit} đã nhận được…" or "Qua xác minh, Đúng." to a citizen."""
import re

import pytest
from feedback.demo.data import CATEGORIES
from feedback.models.outcome import CONCLUSIONS
from feedback.outcomes import services
from tests.outcomes.conftest import make_world
from tests.outcomes.helpers import conclude


@pytest.mark.parametrize("conclusion", list(CONCLUSIONS))
def test_every_demo_template_renders_without_an_unfilled_placeholder(app, conclusion):
    """Finding: the demo templates used {unit}/{bien_phap}, left literal, and the conclusion read "Đúng."."""
    world = make_world()
    conclude(world, conclusion)
    for code, _vi, _en, _kind, _misconduct, _accept, _answer, template in CATEGORIES:
        world.case.category.answer_template = template
        text = services.draft_from_template(world.case)
        assert not re.search(r"\{[a-z_]+\}", text), (code, text)
        assert "Qua xác minh, Đúng" not in text and ", Đúng." not in text
        assert world.case.unit.name in text or "{don_vi}" not in template
        assert "\n\n\n" not in text and not re.search(r"(?m)^\s*\.\s*$", text)


def test_the_measure_and_the_conclusion_read_as_sentences(app):
    world = make_world()
    conclude(world, "substantiated")
    world.case.category.answer_template = CATEGORIES[0][7]
    services.propose_discipline(world.case, world.head)
    text = services.draft_from_template(world.case)
    assert "Qua xác minh, nội dung phản ánh là đúng." in text
    assert "đang xem xét xử lý kỷ luật" in text


def test_a_draft_with_a_placeholder_left_cannot_be_submitted(app):
    world = make_world()
    conclude(world)
    with pytest.raises(services.OutcomeError, match="chưa điền"):
        services.save_answer(world.case, world.handler, body="{unit} đã nhận được phản ánh.", submit=True)
    services.save_answer(world.case, world.handler, body="{unit} nháp", submit=False)  # a draft may keep it
