#!/usr/bin/env python3
"""Writes the bulk-validation input: candidate payloads for schema/candidate-create.schema.json,
one per line (JSON Lines), valid and invalid mixed.

    gen_bulk.py OUTPUT [COUNT] [SEED] [INVALID_PERCENT]

COUNT (100000) records, seeded with SEED (8785); about INVALID_PERCENT (30) percent of them carry
exactly one defect that the create schema rejects (a missing required member, privacyConsent
false, a malformed e-mail address, a value outside an enum, a duplicate in a uniqueItems array,
a bad postcode, an unknown member, a number off its multipleOf or range, an impossible date, a bad
date-time, a string where an integer belongs, an empty array under minItems, a non-LinkedIn URL,
an attachment without its url). The others are valid: every member the schema knows is filled
from its enums and patterns in varying subsets, names and free text with non-ASCII letters,
emoji and characters that must be escaped; one line in ten is written with ensure_ascii=True.

Same count, seed and percentage give the same bytes everywhere (only random.Random's integer
methods and choice() are used). Prints one line: path, records, intended valid count, bytes,
sha256 prefix; the intended valid count also goes to OUTPUT + ".expected" so the report can
compare it with what each validator counts.
"""
import hashlib
import json
import os
import random
import sys

FIRST = ["Jan", "Sanne", "Mohammed", "Fatima", "Daan", "Émilie", "Zoë", "Søren", "Łukasz", "Ayşe",
         "Björn", "Chloé", "Noah", "Lotte", "Thijs", "Inès", "Oğuz", "Anaïs", "Sem", "Yara",
         "Kateřina", "Nguyễn", "Δήμητρα", "Анна", "美咲", "Joëlle", "Ruud", "Bram"]
LAST = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "El Amrani", "Yılmaz", "Kowalski", "Ó Briain", "Müller", "Nováková", "Иванова", "’t Hart"]
CITIES = ["Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Eindhoven", "Groningen", "Tilburg",
          "Breda", "Nijmegen", "'s-Hertogenbosch", "Leeuwarden", "Maastricht", "Súdwest-Fryslân", "Delft"]
STREETS = ["Oudegracht", "Keizersgracht", "Coolsingel", "Lange Voorhout", "Grote Markt", "Kerkstraat",
           "Schoolstraat", "Stationsweg", "Julianalaan"]
DOMAINS = ["example.nl", "example.com", "school.example", "mail.example.org", "regio.example.nl"]
# The create schema's enums.
PHASES = ["new", "matching", "orienting", "preparing", "in_training", "employed", "left"]
SECTORS = ["primary_education", "secondary_education", "special_education", "vocational_education",
           "higher_education", "practical_education"]
ROLES = ["teacher", "vocational_instructor", "support_staff", "pupil_care", "middle_management",
         "school_leadership", "other"]
QUALIFICATIONS = ["primary_education", "limited_second_degree", "second_degree", "first_degree", "pdg",
                  "bko_bdb", "support_staff", "vocational_instructor", "guest_teacher", "pabo", "unknown",
                  "no_idea_yet", "not_applicable"]
EDUCATION = ["none", "practical_education", "vmbo_bl", "vmbo_kl", "vmbo_gl", "vmbo_tl", "vmbo", "havo", "vwo",
             "mbo_entry", "mbo_2", "mbo_3", "mbo_4", "hbo_bachelor", "hbo_master", "wo_bachelor", "wo_master", "phd"]
SCHOOL_TYPES = ["public", "catholic", "protestant", "montessori", "dalton", "jenaplan", "other"]
SOURCES = ["website", "social_media", "job_fair", "friend", "school", "other"]
INTERACTIONS = ["intake", "phone_call", "email", "advice", "orientation_meeting", "event_registration", "other"]
LANGUAGES = ["nl", "en", "de", "fr", "fy", "tr", "ar", "pl", "Nederlands", "English"]
CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png"]
SNIPPETS = [
    "Ik wil graag voor de klas staan en kinderen helpen groeien.",
    "Na tien jaar in de zorg wil ik het onderwijs in; zij-instroom lijkt me ideaal.",
    "Über mich: zweisprachig aufgewachsen, très motivée, 日本語も少し話せます.",
    "Motivatie:\n- passie voor rekenen\n- geduld\n- \"leerling centraal\"",
    "Tab\tgescheiden\tnotities, pad C:\\Users\\docent\\cv.pdf",
    "Enthousiast! 🎓📚 Beschikbaar vanaf februari ✔",
    "Gesprek verliep goed — vervolgafspraak ingepland (± 2 weken).",
    "Voorkeur voor het speciaal onderwijs; ervaring met ASS en ADHD.",
    "Ελληνικά, русский, العربية, עברית: meertalige kandidaat.",
    "Noot: \u2028 regelscheiding en \u00a0vaste spatie in geplakte tekst.",
    "Kort.",
]
DEFECTS = ["missing-required", "consent-false", "email-format", "phase-enum", "sector-duplicate",
           "postcode", "unknown-member", "hours-multiple", "hours-range", "birth-date", "performed-at",
           "duration-type", "languages-empty", "linkedin", "attachment", "interaction-required"]


def slug(text):
    out = []
    for ch in text.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        elif ch in " -'’" and out and out[-1] != ".":
            out.append(".")
    return "".join(out).strip(".") or "x"


def date(rng, first_year, last_year):
    return "%04d-%02d-%02d" % (rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))


def timestamp(rng):
    return "%sT%02d:%02d:%02d%s" % (date(rng, 2024, 2027), rng.randint(8, 18), rng.choice([0, 15, 30, 45]),
                                    rng.randrange(60), rng.choice(["+01:00", "+02:00", "Z"]))


def valid_record(rng, index):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    doc = {
        "email": "%s.%s+%d@%s" % (slug(first), slug(last), index, rng.choice(DOMAINS)),
        "firstName": first,
        "lastName": last,
        "privacyConsent": True,
    }
    if rng.randrange(10) < 2:  # a minimal record now and then
        return doc
    maybe = lambda percent: rng.randrange(100) < percent
    if maybe(80):
        doc["phone"] = None if rng.randrange(20) == 0 else "06-%08d" % rng.randrange(10 ** 8)
    if maybe(50):
        doc["marketingConsent"] = rng.randrange(2) == 0
    if maybe(90):
        doc["phase"] = rng.choice(PHASES)
    if maybe(80):
        doc["sectors"] = rng.sample(SECTORS, rng.randint(1, 3))
    if maybe(70):
        doc["roles"] = rng.sample(ROLES, rng.randint(1, 2))
    if maybe(60):
        doc["qualifications"] = rng.sample(QUALIFICATIONS, rng.randint(0, 3))
    if maybe(60):
        doc["priorEducation"] = rng.choice(EDUCATION)
    if maybe(50):
        doc["linkedinUrl"] = ("https://www.linkedin.com/in/%s-%s-%d" % (slug(first), slug(last), rng.randrange(10 ** 6))
                              if rng.randrange(10) else None)
    if maybe(70):
        doc["dateOfBirth"] = date(rng, 1960, 2006) if rng.randrange(20) else None
    if maybe(60):
        doc["motivation"] = " ".join(rng.sample(SNIPPETS, rng.randint(1, 3)))
    if maybe(75):
        doc["address"] = {"postalCode": "%04d %s%s" % (rng.randint(1000, 9999), chr(65 + rng.randrange(18)),
                                                      chr(65 + rng.randrange(26)))}
        if maybe(90):
            doc["address"].update({"street": rng.choice(STREETS),
                                   "houseNumber": "%d%s" % (rng.randint(1, 400), rng.choice(["", "", "a", "b", "-2"])),
                                   "city": rng.choice(CITIES)})
        if maybe(50):
            doc["address"]["country"] = "NL"
    if maybe(60):
        doc["interactions"] = []
        for _ in range(rng.randint(1, 4)):
            item = {"type": rng.choice(INTERACTIONS), "performedAt": timestamp(rng)}
            if maybe(80):
                item["performedBy"] = "Regioloket %s" % rng.choice(CITIES)
            if maybe(70):
                item["durationMinutes"] = rng.choice([5, 10, 15, 30, 45, 60, 90])
            if maybe(60):
                item["summary"] = rng.choice(SNIPPETS)
            doc["interactions"].append(item)
    if maybe(50):
        doc["curriculumVitae"] = [{"url": "https://files.example.nl/cv/%s-%d.pdf" % (slug(last), index)}]
    if maybe(5):
        doc["otherAttachments"] = [{"base64": "JVBERi0xLjQK", "filename": "diploma-%d.pdf" % index,
                                    "contentType": rng.choice(CONTENT_TYPES)}]
    if maybe(30):
        doc["notes"] = rng.choice(SNIPPETS)
    if maybe(60):
        doc["customFields"] = {
            "preferredSchoolType": rng.choice(SCHOOL_TYPES),
            "openDayRegistration": rng.randrange(2) == 0,
            "hoursPerWeek": rng.randint(1, 39) + rng.choice([0, 0.5]),
            "referralSource": rng.choice(SOURCES),
            "availableFrom": date(rng, 2026, 2028),
            "languages": rng.sample(LANGUAGES, rng.randint(1, 4)),
        }
    return doc


def break_record(doc, rng, defect):
    """Gives a valid record exactly one defect the create schema rejects."""
    if defect == "missing-required":
        del doc[rng.choice(["email", "firstName", "lastName", "privacyConsent"])]
    elif defect == "consent-false":
        doc["privacyConsent"] = False
    elif defect == "email-format":
        doc["email"] = rng.choice([doc["email"].replace("@", " at "), "." + doc["email"],
                                   doc["email"].replace("@", "..@"), doc["email"].split("@")[0] + "@localhost"])
    elif defect == "phase-enum":
        doc["phase"] = rng.choice(["applying", "studying", "inactive", "NEW"])
    elif defect == "sector-duplicate":
        doc["sectors"] = ["primary_education", "special_education", "primary_education"]
    elif defect == "postcode":
        doc["address"] = {"postalCode": rng.choice(["0123 AB", "1234 SA", "12345", "1234-AB"]), "city": "Utrecht"}
    elif defect == "unknown-member":
        doc[rng.choice(["nickname", "Email", "privacy_consent"])] = "x"
    elif defect == "hours-multiple":
        doc["customFields"] = {"hoursPerWeek": rng.randint(1, 39) + rng.choice([0.1, 0.25, 0.3])}
    elif defect == "hours-range":
        doc["customFields"] = {"hoursPerWeek": rng.choice([0, -8, 40.5, 48])}
    elif defect == "birth-date":
        doc["dateOfBirth"] = rng.choice(["1990-02-30", "1991-13-01", "01-02-1990", "1993-02-29"])
    elif defect == "performed-at":
        doc["interactions"] = [{"type": "intake", "performedAt": rng.choice(
            ["2026-11-02 10:30:00", "2026-11-02T25:30:00Z", "2026-02-30T10:00:00Z", "2026-11-02T10:30:00"])}]
    elif defect == "duration-type":
        doc["interactions"] = [{"type": "intake", "performedAt": "2026-11-02T10:30:00Z",
                                "durationMinutes": rng.choice(["45", 12.5, -5, 2000])}]
    elif defect == "languages-empty":
        doc["customFields"] = {"languages": []}
    elif defect == "linkedin":
        doc["linkedinUrl"] = rng.choice(["http://www.linkedin.com/in/x", "https://example.com/in/x", "linkedin"])
    elif defect == "attachment":
        doc["curriculumVitae"] = [rng.choice([{"href": "https://files.example.nl/cv.pdf"}, {"url": 5},
                                              {"base64": "JVBERi0xLjQK", "filename": "cv.pdf"}])]
    elif defect == "interaction-required":
        doc["interactions"] = [{"type": rng.choice(INTERACTIONS), "performedBy": "Regioloket Delft"}]
    return doc


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    output = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 8785
    invalid_percent = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    rng = random.Random(seed)
    lines, valid = [], 0
    for i in range(count):
        doc = valid_record(rng, i)
        if rng.randrange(100) < invalid_percent:
            doc = break_record(doc, rng, rng.choice(DEFECTS))
        else:
            valid += 1
        lines.append(json.dumps(doc, ensure_ascii=(i % 10 == 9), separators=(",", ":")))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, output)
    with open(output + ".expected", "w") as f:
        f.write("%d %d\n" % (count, valid))
    print("%s: %d records, %d intended valid (%.1f%%), %d bytes, sha256 %s"
          % (output, count, valid, 100.0 * valid / count, len(data), hashlib.sha256(data).hexdigest()[:16]))


if __name__ == "__main__":
    main()
