#!/usr/bin/env python3
"""Writes the large benchmark document: a JSON array of candidate payloads.

    gen_candidates.py FIXTURE_DIR OUTPUT [COUNT] [SEED]

The payloads are derived from the fixture payloads (every *.json file in FIXTURE_DIR whose
top level is an object is a template) and varied deterministically from SEED: names, e-mail
addresses, phone numbers, postcodes, dates, integers and decimals, free text with non-ASCII
letters, emoji (astral plane) and characters that must be escaped. Same fixtures, count and
seed give the same bytes on every machine and Python version (only random.Random's integer
methods and choice() are used, which are stable, and floats are built from integers).

The document is compact (no whitespace between tokens) so that throughput figures are not
flattered by whitespace, which every parser skips cheaply. One payload in ten is written with
ensure_ascii=True, so \\uXXXX escapes (including surrogate pairs) are part of the input too.
All integers fit in 64 bits and all numbers in a double, so every parser under comparison
(json, orjson, the library's RFC 8785 canonicalizer) accepts the whole document.
"""
import copy
import glob
import hashlib
import json
import os
import random
import sys

FIRST = ["Jan", "Sanne", "Mohammed", "Fatima", "Daan", "Émilie", "Zoë", "Søren", "Łukasz", "Ayşe",
         "Björn", "Chloé", "Noah", "Lotte", "Thijs", "Inès", "Oğuz", "Anaïs", "Sem", "Yara",
         "Ľudmila", "Kateřina", "Nguyễn", "Δήμητρα", "Анна", "美咲", "Søs", "Joëlle", "Ruud", "Bram"]
LAST = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
        "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker",
        "Brouwer", "de Wit", "Dijkstra", "Smits", "El Amrani", "Yılmaz", "Kowalski", "Ó Briain",
        "Müller", "Nováková", "Παπαδοπούλου", "Иванова", "田中", "’t Hart"]
CITIES = ["Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Eindhoven", "Groningen", "Tilburg",
          "Almere", "Breda", "Nijmegen", "Apeldoorn", "Haarlem", "Arnhem", "Zaanstad",
          "'s-Hertogenbosch", "Leeuwarden", "Maastricht", "Zwolle", "Súdwest-Fryslân", "Delft"]
STREETS = ["Oudegracht", "Keizersgracht", "Coolsingel", "Lange Voorhout", "Stratumseind",
           "Grote Markt", "Heuvelring", "Marktstraat", "Ginnekenweg", "Molenstraat", "Dorpsstraat",
           "Kerkstraat", "Schoolstraat", "Stationsweg", "Julianalaan", "Wilhelminapark"]
DOMAINS = ["example.nl", "example.com", "school.example", "mail.example.org", "regio.example.nl"]
PHASES = ["orienting", "applying", "studying", "employed", "inactive"]
SECTORS = ["primary_education", "special_education", "secondary_education", "vocational_education",
           "higher_education"]
ROLES = ["teacher", "teaching_assistant", "team_leader", "support_staff", "lateral_entrant"]
QUALIFICATIONS = ["pabo", "lerarenopleiding_1e_graads", "lerarenopleiding_2e_graads", "pdg", "none"]
EDUCATION = ["mbo", "hbo_bachelor", "wo_bachelor", "wo_master", "other"]
SCHOOL_TYPES = ["montessori", "dalton", "jenaplan", "vrije_school", "regular"]
SOURCES = ["job_fair", "website", "social_media", "friend", "newspaper"]
INTERACTIONS = ["intake", "phone_call", "email", "meeting", "open_day", "trial_lesson"]
LANGUAGES = ["nl", "en", "de", "fr", "fy", "tr", "ar", "pl"]
SNIPPETS = [
    "Ik wil graag voor de klas staan en kinderen helpen groeien.",
    "Na tien jaar in de zorg wil ik het onderwijs in; zij-instroom lijkt me ideaal.",
    "Über mich: zweisprachig aufgewachsen, très motivée, 日本語も少し話せます.",
    "Motivatie:\n- passie voor rekenen\n- geduld\n- \"leerling centraal\"",
    "Tab\tgescheiden\tnotities, pad C:\\Users\\docent\\cv.pdf",
    "Enthousiast! 🎓📚 Beschikbaar vanaf februari ✔",
    "Gesprek verliep goed — vervolgafspraak ingepland (± 2 weken).",
    "Voorkeur voor het speciaal onderwijs; ervaring met ASS en ADHD.",
    "Ervaring als invaller op basisschool ‘De Regenboog’ in Zeist.",
    "Ελληνικά, русский, العربية, עברית: meertalige kandidaat.",
    "Noot: \u2028 regelscheiding en \u00a0vaste spatie in geplakte tekst.",
    "Kort.",
]


def slug(text):
    out = []
    for ch in text.lower():
        if "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        elif ch in " -'’":
            out.append(".")
    return "".join(out).strip(".") or "x"


def decimal(rng, whole_max, places):
    """A float with at most `places` decimals, built from integers (no float arithmetic drift)."""
    scale = 10 ** places
    return int(rng.randrange(whole_max * scale)) / scale


def date(rng, first_year, last_year):
    return "%04d-%02d-%02d" % (rng.randint(first_year, last_year), rng.randint(1, 12), rng.randint(1, 28))


def timestamp(rng):
    return "%sT%02d:%02d:%02d%s" % (date(rng, 2024, 2027), rng.randint(8, 18), rng.choice([0, 15, 30, 45]),
                                    rng.randrange(60), rng.choice(["+01:00", "+02:00", "Z"]))


def vary(template, rng, index):
    doc = copy.deepcopy(template)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    # Overwrite what the template has; add the rest to most payloads, so the objects differ in
    # size and member set the way real ones do.
    rich = rng.randrange(10) < 8
    if "firstName" in doc or rich:
        doc["firstName"] = first
    if "lastName" in doc or rich:
        doc["lastName"] = last
    if "email" in doc or rich:
        doc["email"] = "%s.%s+%d@%s" % (slug(first), slug(last), index, rng.choice(DOMAINS))
    if "phone" in doc or rich:
        doc["phone"] = None if rng.randrange(20) == 0 else "06-%08d" % rng.randrange(10 ** 8)
    if "privacyConsent" in doc or rich:
        doc["privacyConsent"] = rng.randrange(10) > 0
    if "phase" in doc or rich:
        doc["phase"] = rng.choice(PHASES)
    if rich:
        doc["sectors"] = rng.sample(SECTORS, rng.randint(1, 3))
        doc["roles"] = rng.sample(ROLES, rng.randint(1, 2))
        doc["qualifications"] = rng.sample(QUALIFICATIONS, rng.randint(0, 2))
        doc["priorEducation"] = rng.choice(EDUCATION)
        doc["linkedinUrl"] = "https://www.linkedin.com/in/%s-%s-%d" % (slug(first), slug(last), rng.randrange(10 ** 6))
        doc["dateOfBirth"] = date(rng, 1960, 2006)
        doc["motivation"] = " ".join(rng.sample(SNIPPETS, rng.randint(1, 3)))
        doc["address"] = {
            "street": rng.choice(STREETS),
            "houseNumber": "%d%s" % (rng.randint(1, 400), rng.choice(["", "", "a", "b", "-2"])),
            "postalCode": "%04d %s%s" % (rng.randint(1000, 9999), chr(65 + rng.randrange(26)), chr(65 + rng.randrange(26))),
            "city": rng.choice(CITIES),
            "country": "NL",
        }
        doc["interactions"] = [
            {
                "type": rng.choice(INTERACTIONS),
                "performedAt": timestamp(rng),
                "performedBy": "Regioloket %s" % rng.choice(CITIES),
                "durationMinutes": rng.choice([5, 10, 15, 30, 45, 60, 90]),
                "summary": rng.choice(SNIPPETS),
            }
            for _ in range(rng.randint(0, 4))
        ]
        doc["curriculumVitae"] = [{"url": "https://files.example.nl/cv/%s-%d.pdf" % (slug(last), index)}]
        doc["customFields"] = {
            "preferredSchoolType": rng.choice(SCHOOL_TYPES),
            "openDayRegistration": rng.randrange(2) == 0,
            "hoursPerWeek": rng.choice([8, 16, 24, 32, 36, 40]) + rng.choice([0, 0.5, 0.25]),
            "referralSource": rng.choice(SOURCES),
            "availableFrom": date(rng, 2026, 2028),
            "languages": rng.sample(LANGUAGES, rng.randint(1, 4)),
            "travelDistanceKm": decimal(rng, 120, 1),
            "salaryScale": rng.randint(8, 12),
            "registrationNumber": rng.randrange(10 ** 15),
            "score": -decimal(rng, 5, 3) if rng.randrange(4) == 0 else decimal(rng, 100, 3),
        }
    doc["id"] = index
    return doc


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    fixture_dir, output = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 8785
    templates = []
    for path in sorted(glob.glob(os.path.join(fixture_dir, "*.json"))):
        with open(path, "rb") as f:
            value = json.loads(f.read())
        if isinstance(value, dict):
            templates.append(value)
    if not templates:
        sys.exit("gen_candidates.py: no fixture payload (a JSON object) in %s" % fixture_dir)
    rng = random.Random(seed)
    parts = []
    for i in range(count):
        doc = vary(rng.choice(templates), rng, i)
        parts.append(json.dumps(doc, ensure_ascii=(i % 10 == 9), separators=(",", ":")))
    data = ("[" + ",".join(parts) + "]").encode("utf-8")
    tmp = output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, output)
    print("%s: %d payloads from %d templates, %d bytes, sha256 %s"
          % (output, count, len(templates), len(data), hashlib.sha256(data).hexdigest()[:16]))


if __name__ == "__main__":
    main()
