"""Checklist templates: TOML files validated with pydantic."""

from scrutiny_desktop.checklist.loader import (
    TemplateError,
    TemplateInfo,
    bundled_template,
    discover_templates,
    find_template,
    load_template,
    parse_template,
)
from scrutiny_desktop.checklist.model import NOT_APPLICABLE, Question, Scale, Section, Template

__all__ = [
    "NOT_APPLICABLE",
    "Question",
    "Scale",
    "Section",
    "Template",
    "TemplateError",
    "TemplateInfo",
    "bundled_template",
    "discover_templates",
    "find_template",
    "load_template",
    "parse_template",
]
