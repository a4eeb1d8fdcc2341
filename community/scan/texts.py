"""The questionnaire in the reader's language, and the case tags that belong to each dimension.

Tag rule (documented for case authors): a published practice case belongs to a dimension when
one of its tags equals, ignoring case, the dimension's code ("knowledge_sharing"), the code with
spaces or hyphens ("knowledge sharing", "knowledge-sharing"), or the dimension's full Dutch or
English name ("kennis delen en samenwerken"). Case tags are stored in lower case (see
actions/cases.py), so lower-cased candidates are enough.
"""
from flask_babel import get_locale

from community.scan import scoring


def language():
    locale = str(get_locale() or "nl")
    return "en" if locale.startswith("en") else "nl"


def dimensions(version=1):
    """[{code, name, description}] in the reader's language, in questionnaire order."""
    lang = language()
    return [{"code": d["code"], "name": d["name"][lang], "description": d["description"][lang]}
            for d in scoring.questionnaire(version)["dimensions"]]


def dimension_names(version=1):
    return {d["code"]: d["name"] for d in dimensions(version)}


def sections(variant, version=1):
    """The questionnaire as the form shows it: one section per dimension with its items."""
    lang = language()
    data = scoring.questionnaire(version)
    items = scoring.all_items(data, variant)
    result = []
    for dimension in data["dimensions"]:
        mine = [{"code": item["code"], "text": item[lang]} for item in items if item["dimension"] == dimension["code"]]
        if mine:
            result.append({"code": dimension["code"], "name": dimension["name"][lang],
                           "description": dimension["description"][lang], "items": mine})
    return result


def scale_labels(version=1):
    return scoring.questionnaire(version)["scale"]["labels"][language()]


def management_intro(version=1):
    return scoring.questionnaire(version)["management"]["intro"][language()]


def dimension_tags(version=1):
    """{dimension code: set of case tags that belong to it} (see the module's rule)."""
    tags = {}
    for dimension in scoring.questionnaire(version)["dimensions"]:
        code = dimension["code"]
        tags[code] = {code, code.replace("_", " "), code.replace("_", "-"),
                      dimension["name"]["nl"].lower(), dimension["name"]["en"].lower()}
    return tags
