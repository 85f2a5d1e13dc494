from improvenet.accounts import tokens


def test_new_tokens_are_random_prefixed_and_recognized():
    first, second = tokens.new_token(), tokens.new_token()
    assert first != second and first.startswith("inet_") and len(first) > 40
    assert tokens.looks_like_token(first)
    assert not tokens.looks_like_token("inet_short") and not tokens.looks_like_token("Basic abc")


def test_digest_is_stable_sha256_hex():
    assert tokens.digest("inet_x") == tokens.digest("inet_x")
    assert len(tokens.digest("inet_x")) == 64 and tokens.digest("inet_x") != tokens.digest("inet_y")
