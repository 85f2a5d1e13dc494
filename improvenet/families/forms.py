"""Forms of the family pages (shown in the family's language) and of the data team's handling of requests."""

import datetime
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from improvenet.families.access import family_schools
from improvenet.families.models import FamilyPages
from improvenet.network.access import MAX_ID
from improvenet.network.forms import DateInput

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]{0,39}$")
PHONE = re.compile(r"^\+?[0-9 ()./\-]{7,30}$")
OLDEST_STUDENT_YEARS = 26
# Invisible characters that reorder or hide text: a name shown to the data team must read as it was typed.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _has_hidden_characters(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in text)


class SchoolChoice(forms.ModelChoiceField):
    """A school by id; a number no row can have is refused before the database sees it (it would fail)."""

    def to_python(self, value):
        if value not in self.empty_values and (not str(value).isdigit() or not 0 < int(value) <= MAX_ID):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class OptOutRequestForm(forms.Form):
    """What a family sends: checked for form only, never against the student records (see docs/families.md)."""

    student_id = forms.CharField(
        label=_("Student's district ID number"), max_length=40, strip=True,
        help_text=_("The number on the student's report card or school ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Enter the student's district ID number.")},
    )
    date_of_birth = forms.DateField(
        label=_("Student's date of birth"), widget=DateInput,
        help_text=_("So that the data team opts out the right student."),
        error_messages={"required": _("Enter the student's date of birth."),
                        "invalid": _("Enter the date of birth as a date, for example 2012-03-25.")},
    )
    school = SchoolChoice(
        label=_("School"), queryset=None, empty_label=None,
        error_messages={"required": _("Choose the student's school."),
                        "invalid_choice": _("Choose one of the schools in the list.")},
    )
    guardian_name = forms.CharField(
        label=_("Your name (parent or guardian)"), max_length=200, strip=True,
        error_messages={"required": _("Enter your name.")},
    )
    contact = forms.CharField(
        label=_("Your email address or phone number"), max_length=200, strip=True,
        help_text=_("Only to reach you if the data team has a question about this request."),
        error_messages={"required": _("Enter an email address or a phone number.")},
    )
    # Left empty by people, whose browsers do not show it; filled in by robots that fill in every field.
    website = forms.CharField(required=False, label=_("Leave this field empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))

    def __init__(self, *args, school=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = family_schools()
        if school is not None:
            self.fields["school"].initial = school.pk

    def clean_student_id(self) -> str:
        value = self.cleaned_data["student_id"]
        if not STUDENT_ID.match(value):
            raise ValidationError(_("A district ID number has only letters, digits and dashes (at most 40)."))
        return value

    def clean_guardian_name(self) -> str:
        value = self.cleaned_data["guardian_name"]
        if _has_hidden_characters(value):
            raise ValidationError(_("Write your name with letters only, without control characters."))
        return value

    def clean_date_of_birth(self) -> datetime.date:
        value = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if value >= today:
            raise ValidationError(_("The date of birth must be in the past."))
        if value.year < today.year - OLDEST_STUDENT_YEARS:
            raise ValidationError(_("Check the year: a student of the school is at most %(years)s years old.")
                                  % {"years": OLDEST_STUDENT_YEARS})
        return value

    def clean_contact(self) -> str:
        value = self.cleaned_data["contact"]
        if "@" in value:
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError(_("This email address is not complete; check it.")) from None
        elif not PHONE.match(value) or sum(c.isdigit() for c in value) < 7:
            raise ValidationError(_("Enter an email address, or a phone number with at least 7 digits."))
        return value

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class FamilyPagesForm(forms.ModelForm):
    class Meta:
        model = FamilyPages
        fields = ["published", "contact_office", "contact_email", "contact_phone"]


class ConfirmRequestForm(forms.Form):
    checked = forms.BooleanField(
        label="I checked the student's id and date of birth against the district's records",
        error_messages={"required": "Check the student's id and date of birth against the district's records first."},
    )
    note = forms.CharField(label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NotMatchedForm(forms.Form):
    prefix = "unmatched"  # beside the confirm form's note on one page
    note = forms.CharField(
        label="Why it could not be matched", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: no student with this id and date of birth. Tell the family, in their language.",
        error_messages={"required": "Say why the request could not be matched, so the family can be told."},
    )
