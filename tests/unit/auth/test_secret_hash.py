"""Secrets kept as hashes: one hash, one constant-time check, never a match without a hash."""

from __future__ import annotations

import hashlib

from shared.auth.secret_hash import secret_hash, secret_matches


def test_the_stored_hash_is_hex_sha256_of_utf8() -> None:
    assert secret_hash("kéy") == hashlib.sha256("kéy".encode()).hexdigest()


def test_only_the_secret_matches_its_hash() -> None:
    stored = secret_hash("s3cret")
    assert secret_matches("s3cret", stored)
    assert not secret_matches("s3cret ", stored)
    assert not secret_matches("S3cret", stored)


def test_nothing_matches_a_missing_or_empty_hash() -> None:
    assert not secret_matches("", "")
    assert not secret_matches("x", None)


def test_a_mangled_stored_hash_is_a_mismatch_not_an_error() -> None:
    assert not secret_matches("x", "ü" * 64)
