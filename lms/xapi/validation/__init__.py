"""Validation of xAPI 1.0.3 statements and of the values they are made of."""

from lms.xapi.validation.statements import VOIDED, validate_agent, validate_statement
from lms.xapi.validation.values import (
    StatementError,
    validate_activity_id,
    validate_language_map,
    validate_timestamp,
    validate_uuid,
)

__all__ = [
    "VOIDED",
    "StatementError",
    "validate_activity_id",
    "validate_agent",
    "validate_language_map",
    "validate_statement",
    "validate_timestamp",
    "validate_uuid",
]
