"""ListSelect writes exactly what WTForms' own select writes, only faster."""
from hypothesis import given, settings
from hypothesis import strategies as st
from wtforms import Form, SelectField, widgets

from feedback.widgets import ListSelect

labels = st.text(alphabet=st.sampled_from(list("aăâ đêô<>&\"'Ủy bannhân dân xã Số 0123456789")), max_size=30)
choices = st.lists(st.tuples(st.one_of(st.integers(0, 10**6), labels), labels), max_size=20)


def _rendered(widget, options, picked, render_kw=None):
    class One(Form):
        field = SelectField(choices=options, widget=widget, validate_choice=False)

    form = One()
    form.field.data = None if picked is None else str(picked)  # what SelectField (coerce=str) holds
    if render_kw is not None:
        form.field.choices = [(v, label, render_kw) for v, label in options]
    return str(form.field(**{"aria-describedby": "hint"}))


@settings(max_examples=200, deadline=None)
@given(options=choices, which=st.integers(0, 25))
def test_the_same_html_as_wtforms_select(options, which):
    picked = options[which][0] if which < len(options) else None
    assert _rendered(ListSelect(), options, picked) == _rendered(widgets.Select(), options, picked)


def test_options_with_their_own_attributes_are_left_to_wtforms():
    options = [(1, "Xã A"), (2, "Xã <B>")]
    kw = {"disabled": True}
    assert _rendered(ListSelect(), options, 2, kw) == _rendered(widgets.Select(), options, 2, kw)
    assert "<option disabled selected value=\"2\">Xã &lt;B&gt;</option>" in _rendered(ListSelect(), options, 2, kw)
