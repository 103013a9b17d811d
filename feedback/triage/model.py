"""The learned part of triage: a category model and a memory of operators' corrections.

Trained by `train()` (the periodic job `triage-retrain`, `flask triage retrain`), never in a request: a
TF-IDF of accent-folded text (words and character n-grams) with a logistic regression for the category,
and a nearest-neighbour memory of corrected texts for the unit. Saved with joblib under the instance
folder; `current_model()` reloads the file when it changes.
"""
import os
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import select

from feedback.extensions import db
from feedback.triage.text import content, normalise

MODEL_FILE = "triage-model.joblib"
# A corrected text this similar (cosine of TF-IDF) to a new one gives its unit.
MEMORY_SIMILARITY = 0.75


@dataclass
class TriageModel:
    categories: list = field(default_factory=list)  # category codes, in the classifier's order
    vectorizer: object = None
    classifier: object = None
    memory_vectorizer: object = None
    memory_matrix: object = None
    memory_units: list = field(default_factory=list)  # unit codes of the corrected texts
    trained_on: int = 0
    corrections: int = 0

    def category_scores(self, text, name_words=frozenset()):
        """[(category code, probability)], best first (names of units and people left out)."""
        if self.classifier is None:
            return []
        probabilities = self.classifier.predict_proba(self.vectorizer.transform([content(text, name_words)]))[0]
        ranked = sorted(zip(self.classifier.classes_, probabilities), key=lambda item: -item[1])
        return [(code, float(p)) for code, p in ranked]

    def remembered_unit(self, text):
        """(unit code, similarity) of the most similar corrected text, or None."""
        if self.memory_matrix is None:
            return None
        vector = self.memory_vectorizer.transform([normalise(text)])
        similarities = (self.memory_matrix @ vector.T).toarray().ravel()
        best = int(similarities.argmax())
        if similarities[best] < MEMORY_SIMILARITY:
            return None
        return self.memory_units[best], float(similarities[best])


def _training_rows():
    """(text, category code) from the exemplars, the category names, the demo's texts and corrections."""
    from feedback.demo.data import CASE_TEXTS
    from feedback.models import Category
    from feedback.models.triage import TriageCorrection
    from feedback.triage.exemplars import EXEMPLARS

    active = {c.code: c for c in db.session.scalars(select(Category).where(Category.active.is_(True)))}
    rows = []
    for code, category in active.items():
        rows.append((category.name_vi, code))
        rows.extend((text, code) for text in EXEMPLARS.get(code, ()))
        rows.extend((description, code) for description, _summary in CASE_TEXTS.get(code, ()))
    corrections = db.session.execute(select(TriageCorrection.text, TriageCorrection.category_code).where(
        TriageCorrection.category_code.is_not(None))).all()
    # A correction counts three times: it is the organisation's own word for its own cases.
    rows.extend((text, code) for text, code in corrections if code in active for _ in range(3))
    return rows, len(corrections)


def train():
    """Fit the category model and the correction memory from the database; returns the TriageModel."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion

    from feedback.models.triage import TriageCorrection

    model = TriageModel()
    rows, corrected = _training_rows()
    if len({code for _t, code in rows}) >= 2:
        model.vectorizer = FeatureUnion([
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1)),
        ])
        from feedback.triage.directory import current_directory

        name_words = current_directory().name_words
        matrix = model.vectorizer.fit_transform([content(t, name_words) for t, _c in rows])
        model.classifier = LogisticRegression(C=8.0, max_iter=2000)
        model.classifier.fit(matrix, [c for _t, c in rows])
        model.categories = list(model.classifier.classes_)
    model.trained_on, model.corrections = len(rows), corrected
    memory = db.session.execute(select(TriageCorrection.text, TriageCorrection.unit_code).where(
        TriageCorrection.unit_code.is_not(None))).all()
    if memory:
        model.memory_vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
        model.memory_matrix = model.memory_vectorizer.fit_transform([normalise(t) for t, _u in memory])
        model.memory_units = [u for _t, u in memory]
    return model


def model_path():
    return current_app.config.get("TRIAGE_MODEL_PATH") or os.path.join(current_app.instance_path, MODEL_FILE)


def save(model, path=None):
    import joblib

    path = path or model_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    joblib.dump(model, temporary)
    os.replace(temporary, path)  # readers see the old file or the new one, never half of one
    _loaded.pop(path, None)
    return path


def retrain():
    """Train and save; what the periodic job and `flask triage retrain` run."""
    model = train()
    save(model)
    return model


_loaded = {}


def current_model(train_if_missing=False):
    """The saved model (reloaded when the file changes); with `train_if_missing`, trained and saved first.

    Requests pass False: with no saved model yet they get no category, never a training run."""
    import joblib

    path = model_path()
    if not os.path.exists(path):
        if not train_if_missing:
            return None
        retrain()
    stamp = os.stat(path).st_mtime_ns
    cached = _loaded.get(path)
    if cached is None or cached[0] != stamp:
        _loaded[path] = (stamp, joblib.load(path))
    return _loaded[path][1]
