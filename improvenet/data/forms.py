"""Forms of the data pages: loads, metric options, the comparison, agreements, the audit log filter, opt-outs."""

from django import forms
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled

from improvenet.analytics.schema import TABLES
from improvenet.data.models import DataUseAgreement
from improvenet.data.presentation import people
from improvenet.data.services import RATE_METRICS
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import ClusterRole, School, current_on

FORMAT_CHOICES = [
    ("detect", "Detect from the files"),
    ("bundle", "improvenet bundle (CSV files, docs/data.md)"),
    ("edfi-xml", "Ed-Fi XML interchanges"),
    ("oneroster", "OneRoster 1.1 CSV (or School Data Sync v2.1)"),
    ("sdp", "Strategic Data Project toolkit files"),
    ("parquet", "Another improvenet store's Parquet export"),
]


class LoadForm(forms.Form):
    file = forms.FileField(
        label="Zip file of the folder",
        help_text="Zip the folder of files and upload it (at most 2 GB unpacked). Nothing is written unless "
                  "every row is right; loading the same files again changes nothing.",
    )
    format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, initial="detect")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".zip"):
            raise forms.ValidationError("Upload a .zip file of the folder.")
        return upload

    @property
    def source_format(self) -> str | None:
        chosen = self.cleaned_data["format"]
        return None if chosen == "detect" else chosen


class MetricOptionsForm(forms.Form):
    """A metric's options (METRICS[name].options) and the small-cell minimum, read from the query string."""

    min_n = forms.IntegerField(
        min_value=1, initial=10, required=False,
        help_text="Groups with fewer people are hidden. Only the district's own readers may go below 10.",
    )

    def __init__(self, *args, metric: str, **kwargs):
        from improvenet.analytics.metrics import METRICS  # the metrics bring narwhals and Arrow: not at start

        super().__init__(*args, **kwargs)
        self.metric = METRICS[metric]
        self.fields["min_n"].label = f"Smallest group shown ({people(metric)})"
        for option in self.metric.options:
            label = option.name.replace("_", " ").capitalize()
            if option.choices:
                field = forms.ChoiceField(label=label, help_text=option.help, required=False,
                                          choices=[(choice, choice.capitalize()) for choice in option.choices],
                                          initial=option.default)
            elif option.type is int:
                field = forms.IntegerField(label=label, help_text=option.help, required=False, initial=option.default)
            else:
                field = forms.FloatField(label=label, help_text=option.help, required=False, initial=option.default)
            self.fields[option.name] = field
        self.fields["min_n"] = self.fields.pop("min_n")

    def options(self) -> dict:
        return {option.name: self.cleaned_data[option.name] for option in self.metric.options
                if self.cleaned_data.get(option.name) not in (None, "")}

    def minimum(self) -> int:
        return self.cleaned_data.get("min_n") or 10


def rate_metric_choices() -> list[tuple[str, str]]:
    from improvenet.analytics.metrics import METRICS  # the metrics bring narwhals and Arrow: not at start

    return [(name, METRICS[name].title) for name in RATE_METRICS]


class ComparisonForm(forms.Form):
    metric = forms.ChoiceField(label="Metric", choices=rate_metric_choices)
    treated_role = forms.ChoiceField(
        label="Schools that started the change",
        choices=[(value, label) for value, label in School.Role.choices
                 if value != School.Role.COMPARISON],
        initial=School.Role.INNOVATION,
    )
    start_year = forms.IntegerField(
        label="First school year of the change", min_value=1990, max_value=2100,
        help_text="The calendar year in which that school year ends (2024 for 2023–24).",
    )


class OptOutForm(forms.Form):
    student_id = forms.CharField(
        label="Student id in the district's files", max_length=100, strip=True,
        help_text="The student's rows leave the store now, and later loads skip them.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="User name", required=False)
    action = forms.CharField(label="Action contains", required=False)
    since = forms.DateField(label="From (day)", required=False, widget=DateInput)
    until = forms.DateField(label="To (day)", required=False, widget=DateInput)

    def filter(self, events):
        """The events the filter keeps: all when nothing is asked, none when the filter is invalid (answered 422)."""
        if not self.is_bound:
            return events
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        return events.matching(username=data["user"], action=data["action"], since=data["since"], until=data["until"])


def field_choices() -> list:
    """The store's fields grouped by table, each table first offered whole (`table.*`)."""
    return [(table.name, [(f"{table.name}.*", f"All of {table.name}")]
             + [(f"{table.name}.{column}", column) for column in table.column_names])
            for table in TABLES]


with scopes_disabled():

    class AgreementForm(ClusterScopedForm):
        permitted_fields = forms.MultipleChoiceField(
            label="Permitted fields", choices=field_choices, widget=forms.CheckboxSelectMultiple,
            help_text="The store's fields the researchers may read; “All of” a table permits every field of it.",
        )

        class Meta:
            model = DataUseAgreement
            fields = ["project", "purpose", "researchers", "schools", "permitted_fields", "starts_on", "expires_on",
                      "signed_on"]
            labels = {"starts_on": "Starts on", "expires_on": "Expires on", "signed_on": "Signed on"}
            widgets = {"researchers": forms.CheckboxSelectMultiple, "schools": forms.CheckboxSelectMultiple,
                       "starts_on": DateInput, "expires_on": DateInput, "signed_on": DateInput,
                       "purpose": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, cluster, **kwargs):
            super().__init__(*args, **kwargs)
            self.instance.cluster = cluster
            users = ClusterRole.objects.filter(cluster=cluster).values("user")
            self.fields["researchers"].queryset = get_user_model().objects.filter(pk__in=users).order_by("username")
            self.fields["researchers"].label_from_instance = lambda user: user.get_full_name() or user.username
            self.fields["schools"].queryset = School.objects.filter(current_on()).order_by("name")

