from django import forms
from django.db import models
from django.db.models import Q
from django_scopes import scopes_disabled

from improvenet.network.access import partner_organizations
from improvenet.network.forms import ClusterScopedForm, DateInput
from improvenet.network.models import School, current_on
from improvenet.partners.models import Agreement
from improvenet.pilots.models import MAKER_KINDS, Pilot, Product

with scopes_disabled():

    class ProductForm(ClusterScopedForm):
        class Meta:
            model = Product
            fields = ["company", "name", "version", "description", "price_per_student", "currency", "price_unit",
                      "privacy_agreement"]
            widgets = {"description": forms.Textarea(attrs={"rows": 3})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            keep = [self.instance.company_id] if self.instance.company_id else []
            self.fields["company"].queryset = partner_organizations().filter(
                Q(kind__in=MAKER_KINDS) & current_on() | Q(pk__in=keep)).order_by("name")
            self.fields["company"].help_text = ("The partner company (or nonprofit) that makes the product; add it "
                                                "under Schools, teams and partners first.")
            self.fields["privacy_agreement"].queryset = Agreement.objects.order_by("title")

    class PilotForm(ClusterScopedForm):
        """A new pilot: the product, a title, the schools and the need it starts from."""

        class Meta:
            model = Pilot
            fields = ["product", "title", "schools", "need"]
            widgets = {"schools": forms.CheckboxSelectMultiple, "need": forms.Textarea(attrs={"rows": 4})}

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["product"].queryset = Product.objects.filter(current_on()).order_by("name")
            self.fields["schools"].queryset = School.objects.filter(current_on()).order_by("name")
            self.fields["schools"].required = False


def stage_form(pilot: Pilot, data=None):
    """The form of the pilot's current stage: its title, its schools until students use the product, and the
    fields the stage writes."""
    order = list(Pilot.Stage.values)
    fields = ["title"]
    if order.index(pilot.stage) < order.index(Pilot.Stage.IMPLEMENT):
        fields.append("schools")
    fields += list(pilot.stage_fields())
    widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in fields
               if isinstance(Pilot._meta.get_field(name), models.TextField)}
    widgets |= {"starts_on": DateInput, "ends_on": DateInput, "schools": forms.CheckboxSelectMultiple}
    with scopes_disabled():
        form_class = forms.modelform_factory(Pilot, form=ClusterScopedForm, fields=fields, widgets=widgets)
    form = form_class(data, instance=pilot)
    if "schools" in form.fields:
        form.fields["schools"].queryset = School.objects.filter(current_on()).order_by("name")
        form.fields["schools"].required = False
    return form


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=Pilot.Decision.choices, widget=forms.RadioSelect,
                                 help_text="Adopt: buy it for more schools. Adapt: change how it is used and try "
                                           "again. Abandon: stop using it.")
    decision_reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text="Why, with the evidence: the effect, the use, the cost.")
    on = forms.DateField(label="Decided on", required=False, widget=DateInput, help_text="Leave empty for today.")


class UsageUploadForm(forms.Form):
    file = forms.FileField(
        label="The company's usage file (CSV or XLSX)",
        help_text="Nothing is saved unless every row is right. A school and week already uploaded is replaced.",
    )
