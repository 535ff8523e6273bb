"""What the judge must answer: a JSON object validated by pydantic, whatever the server claims."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

PointStatus = Literal["covered", "missing", "contradicted"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class PointJudgement(_Strict):
    index: int = Field(ge=1, description="the key point's number in the rubric (1-based)")
    status: PointStatus
    evidence: str = Field(
        default="", max_length=2000, description="the answer's sentence that covers or contradicts it"
    )


class WrongClaim(_Strict):
    claim: str = Field(max_length=500, description="what the answer asserts that is wrong")
    correction: str = Field(max_length=500, description="one line: what is true instead")


class JudgeVerdict(_Strict):
    score: float = Field(ge=0.0, le=1.0)
    key_points: list[PointJudgement] = Field(default_factory=list, max_length=20)
    wrong_claims: list[WrongClaim] = Field(default_factory=list, max_length=10)
    feedback: str = Field(default="", max_length=1000)


def response_schema() -> dict[str, Any]:
    """The JSON schema sent as the structured-output format (strict servers need every key required)."""
    schema = JudgeVerdict.model_json_schema()
    _require_all(schema)
    for sub in schema.get("$defs", {}).values():
        _require_all(sub)
    return schema


def _require_all(schema: dict[str, Any]) -> None:
    props = schema.get("properties", {})
    schema["required"] = list(props)
    schema["additionalProperties"] = False
