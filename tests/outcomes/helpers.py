"""Moving a case along the outcome path with the services (tests of later steps start there)."""
from feedback.extensions import db
from feedback.outcomes import services


def conclude(world, conclusion="substantiated"):
    case = world.case
    services.start_verification(case, world.handler)
    services.save_verification(case, world.handler, methods=["interview", "camera"],
                               findings="Camera quầy số 3 ghi nhận đúng nội dung phản ánh.",
                               conclusion=conclusion, submit=True)
    services.review_verification(case, world.head, approve=True)
    db.session.commit()
    return case


def answer(world, body=None, publish=False, **kw):
    case = world.case
    services.save_answer(case, world.handler, body=body or services.draft_from_template(case), submit=True)
    result = services.review_answer(case, world.head, approve=True, publish=publish, **kw)
    db.session.commit()
    return result
