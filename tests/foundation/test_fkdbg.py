from sqlalchemy import text
from feedback.extensions import db
def test_x(app):
    print("FK", db.session.execute(text("PRAGMA foreign_keys")).all())
    print(db.session.execute(text("select sql from sqlite_master where name='case_events'")).scalar())
