"""The search form of the pages: the words, and filters limited to what the user may read."""

from django import forms

from improvenet.design.models import ChangeIdea
from improvenet.network.models import School
from improvenet.search.kinds import KINDS
from improvenet.search.results import Filters

_MENU_LABELS = {"cluster": "name", "school": "name", "change_idea": "title"}


class SearchForm(forms.Form):
    """Filters over one cluster (its schools and change ideas), or, with `clusters`, over several."""

    q = forms.CharField(label="Search for", required=False, strip=True)
    kind = forms.ChoiceField(label="Kind of record", required=False,
                             choices=[("", "Everything"), *((k.key, k.plural) for k in KINDS.values())])
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, clusters=None) -> None:
        super().__init__(data)
        if clusters is None:
            self.fields["school"] = forms.ModelChoiceField(
                School.objects.order_by("name"), label="School", required=False, empty_label="All schools")
            self.fields["change_idea"] = forms.ModelChoiceField(
                ChangeIdea.objects.order_by("title"), label="Change idea", required=False,
                empty_label="All change ideas")
        else:
            self.fields["cluster"] = forms.ModelChoiceField(
                clusters.order_by("name"), label="Cluster", required=False, empty_label="All my clusters",
                to_field_name="slug")

    def choice_fields(self) -> list[tuple]:
        """The filter menus as (bound field, [(value, label, selected)]): rendered in one loop, as a live
        search page is rendered on every keystroke that reaches the server without htmx."""
        menus = []
        for name in ("kind", "cluster", "school", "change_idea"):
            if name not in self.fields:
                continue
            field, bound = self.fields[name], self[name]
            if isinstance(field, forms.ModelChoiceField):  # values, not model instances: a page has ~100
                choices = [("", field.empty_label), *field.queryset.values_list(
                    field.to_field_name or "pk", _MENU_LABELS[name])]
            else:
                choices = field.choices
            chosen = str(bound.value() or "")
            menus.append((bound, [(str(value), label, str(value) == chosen) for value, label in choices]))
        return menus

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the date range is before its start.")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data

        def pk(name: str) -> int | None:
            return data[name].pk if data.get(name) else None

        return Filters(
            text=data["q"], kind=data["kind"], cluster_id=pk("cluster"), school_id=pk("school"),
            change_idea_id=pk("change_idea"), date_from=data["date_from"], date_to=data["date_to"],
        )
