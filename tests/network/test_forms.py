"""The shared form base: choices come from the cluster in scope, and ticked ids are checked before any query."""

from improvenet.network.forms import ClusterScopedForm
from improvenet.network.models import Network


class NetworkAdminsForm(ClusterScopedForm):
    class Meta:
        model = Network
        fields = ["admins"]


def test_a_ticked_id_no_row_can_have_is_refused_before_the_database_sees_it(db):
    form = NetworkAdminsForm({"admins": ["99999999999999999999"]})
    assert not form.is_valid()
    assert form.errors["admins"] == ["“99999999999999999999” is not a valid value."]


def test_ticked_ids_that_exist_are_accepted(world):
    form = NetworkAdminsForm({"admins": [world.users.lead.pk]})
    assert form.is_valid(), form.errors
    assert list(form.cleaned_data["admins"]) == [world.users.lead]
