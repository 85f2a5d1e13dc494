"""The rules of products and pilots: who makes a product, which agreement covers it, and the pilot's stages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from improvenet.pilots.models import Product
from tests.partners.conftest import make_agreement


def test_a_product_is_made_by_a_partner_company_of_the_cluster(alpha_scope):
    p = alpha_scope
    assert str(p.product) == "Reading Coach 4.2"
    assert p.product.price_label == "30.00 USD per student per school year"
    product = Product(cluster=p.world.alpha, company=p.union, name="Union app", price_per_student=Decimal("1"))
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    assert "a product's maker is a company or a nonprofit partner" in raised.value.message_dict["company"][0]


def test_the_privacy_agreement_is_one_the_company_signed(alpha_scope):
    p = alpha_scope
    board_only = make_agreement(p.world.alpha, [p.world.district], title="Board memorandum")
    product = Product(cluster=p.world.alpha, company=p.company, name="Math Coach", price_per_student=Decimal("5"),
                      privacy_agreement=board_only)
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    assert raised.value.message_dict["privacy_agreement"] == [
        "Lexia Learning is not a party to “Board memorandum”: choose an agreement the company signed."]


def test_price_and_currency_are_checked(alpha_scope):
    p = alpha_scope
    product = Product(cluster=p.world.alpha, company=p.company, name="Math Coach", price_per_student=Decimal("-1"),
                      currency="usd")
    with pytest.raises(ValidationError) as raised:
        product.full_clean()
    errors = raised.value.message_dict
    assert "price_per_student" in errors
    assert errors["currency"] == ["Give the currency as its three-letter code, for example USD."]
