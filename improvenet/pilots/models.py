"""Product pilots: an ed-tech product of a partner company tried in some of the cluster's schools.

A `Product` is what a company offers the cluster: its name and version, its price per student, and the
privacy (data-processing) agreement the company signed, kept in the partner registry
(`improvenet.partners.models.Agreement`, with the company among its parties).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django_scopes import ScopedManager

from improvenet.network.models import Cluster, EndableRecord, Organization
from improvenet.partners.models import Agreement

# The kinds of partner organization that make and sell products to schools.
MAKER_KINDS = (Organization.Kind.COMPANY, Organization.Kind.NONPROFIT)


class Product(EndableRecord):
    class PriceUnit(models.TextChoices):
        PER_YEAR = "per_year", "per student per school year"
        PER_MONTH = "per_month", "per student per month"
        ONE_TIME = "one_time", "per student, paid once"

    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, related_name="products")
    company = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="products",
        help_text="The partner company (or nonprofit) that makes the product.",
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=50, blank=True, help_text="As the company names it, for example “4.2”.")
    description = models.TextField(blank=True, help_text="What the product does, in a few sentences.")
    price_per_student = models.DecimalField(
        "price per student", max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))],
        help_text="What one student's use costs the district, in the currency and unit below.",
    )
    currency = models.CharField(
        max_length=3, default="USD",
        validators=[RegexValidator(r"^[A-Z]{3}$", "Give the currency as its three-letter code, for example USD.")],
        help_text="Three-letter currency code, for example USD or EUR.",
    )
    price_unit = models.CharField("the price is", max_length=20, choices=PriceUnit.choices,
                                  default=PriceUnit.PER_YEAR)
    privacy_agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, null=True, blank=True, related_name="products",
        verbose_name="privacy agreement",
        help_text="The privacy or data-processing agreement the company signed, from the agreement registry.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(cluster="cluster")

    class Meta:
        ordering = ["name", "version", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "company", "name", "version"], name="one_product_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()

    @property
    def price_label(self) -> str:
        """The price in plain words, for example “12.50 USD per student per school year”."""
        return f"{self.price_per_student} {self.currency} {self.get_price_unit_display()}"

    def clean(self) -> None:
        errors = {}
        if self.company_id:
            if self.company.cluster_id != self.cluster_id:
                errors["company"] = "The company must be a partner organization of this cluster."
            elif self.company.kind not in MAKER_KINDS:
                errors["company"] = (
                    f"{self.company.name} is a {self.company.get_kind_display().lower()}; "
                    "a product's maker is a company or a nonprofit partner."
                )
        if self.privacy_agreement_id:
            agreement = self.privacy_agreement
            if agreement.cluster_id != self.cluster_id:
                errors["privacy_agreement"] = "The agreement must be one of this cluster's agreements."
            elif self.company_id and not agreement.parties.filter(pk=self.company_id).exists():
                errors["privacy_agreement"] = (
                    f"{self.company.name} is not a party to “{agreement.title}”: "
                    "choose an agreement the company signed."
                )
        if errors:
            raise ValidationError(errors)
