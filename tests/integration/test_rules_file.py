"""test_rules_file.py: rules/cis-docker.ini holds every CIS Docker Benchmark recommendation once, well formed.

No daemon needed. The checker below reads the file the way inih does (the parser dockward uses), and the
file is also fed to the system's libinih itself so that both readings must agree.
"""
import ctypes
import ctypes.util
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RULES = os.path.join(ROOT, "rules", "cis-docker.ini")

MAX_LINE = 120
CONTINUATION_INDENT = "    "

# The 117 recommendation ids of CIS Docker Benchmark v1.6.0, in order.
EXPECTED_IDS = (
    ["1.1.%d" % i for i in range(1, 19)]
    + ["1.2.%d" % i for i in range(1, 3)]
    + ["2.%d" % i for i in range(1, 19)]
    + ["3.%d" % i for i in range(1, 25)]
    + ["4.%d" % i for i in range(1, 13)]
    + ["5.%d" % i for i in range(1, 33)]
    + ["6.%d" % i for i in range(1, 3)]
    + ["7.%d" % i for i in range(1, 10)]
)
# v1.8.0 adds 2.7 (devicemapper) and numbers v1.6.0's 2.7-2.18 as 2.8-2.19: 118 recommendations.
EXPECTED_IDS_180 = [rid for rid in EXPECTED_IDS if not rid.startswith("2.")] + ["2.%d" % i for i in range(1, 20)]
EXPECTED_IDS_180.sort(key=lambda rid: tuple(int(p) for p in rid.split(".")))
# Sections named ID@VERSION hold a recommendation that only that benchmark version has.
ONLY_IN = {"2.7@1.8.0": "1.8.0"}

SECTION_NAMES = {
    "1.1": "1.1 Linux Hosts Specific Configuration",
    "1.2": "1.2 General Configuration",
    "2": "2 Docker Daemon Configuration",
    "3": "3 Docker Daemon Configuration Files",
    "4": "4 Container Images and Build File Configuration",
    "5": "5 Container Runtime",
    "6": "6 Docker Security Operations",
    "7": "7 Docker Swarm Configuration",
}

REQUIRED = ("title", "section", "level", "assessment", "severity", "scope", "rationale", "remediation")
ALLOWED = {
    "level": {"1", "2"},
    "assessment": {"automated", "manual"},
    "severity": {"low", "medium", "high", "critical"},
    "scope": {"host", "daemon", "file", "image", "container", "swarm"},
}
KNOWN_VERSIONS = {"1.6.0", "1.7.0", "1.8.0"}
SINGLE_LINE = ("title", "section", "level", "assessment", "severity", "scope")


def section_name_for(rid):
    parts = rid.split(".")
    key = ".".join(parts[:2]) if parts[0] == "1" else parts[0]
    return SECTION_NAMES.get(key)


def id_key(rid):
    return tuple(int(p) for p in rid.split("."))


def parse(text):
    """Reads INI text the way inih does (comments at line start, [section], key = value, indented
    continuation lines). Returns (sections, problems): sections is a list of (id, line, entries) in file
    order, entries a list of (key, [value lines], line)."""
    sections = []
    problems = []
    current = None
    last_entry = None
    blank_since_value = False
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    for n, raw in enumerate(raw_lines, start=1):
        line = raw.rstrip("\r")
        if len(line) > MAX_LINE:
            problems.append("line %d: %d characters, more than %d" % (n, len(line), MAX_LINE))
        if line != line.rstrip():
            problems.append("line %d: trailing whitespace" % n)
        try:
            line.encode("ascii")
        except UnicodeEncodeError:
            problems.append("line %d: non-ASCII character" % n)
        stripped = line.strip()
        if stripped == "":
            blank_since_value = True
            continue
        if stripped[0] in ";#":
            continue
        if line[0] in " \t":
            if last_entry is None:
                problems.append("line %d: indented line outside a value" % n)
                continue
            if blank_since_value:
                problems.append("line %d: blank line inside the value of %s" % (n, last_entry[0]))
            if not line.startswith(CONTINUATION_INDENT) or line[len(CONTINUATION_INDENT)] in " \t":
                problems.append("line %d: continuation not indented by exactly 4 spaces" % n)
            if re.search(r"\s;", line):
                problems.append("line %d: ' ;' would start an inline comment and cut the value" % n)
            last_entry[1].append(stripped)
            blank_since_value = False
            continue
        blank_since_value = False
        if stripped.startswith("["):
            m = re.fullmatch(r"\[([^\]]+)\]", stripped)
            if not m:
                problems.append("line %d: malformed section header" % n)
                continue
            current = (m.group(1), n, [])
            sections.append(current)
            last_entry = None
            continue
        m = re.fullmatch(r"([^=:\s][^=:]*?)\s*=\s*(.*)", stripped)
        if not m:
            problems.append("line %d: expected key = value" % n)
            continue
        if current is None:
            problems.append("line %d: key outside any section" % n)
            continue
        key, value = m.group(1), m.group(2)
        if re.search(r"\s;", line):
            problems.append("line %d: ' ;' would start an inline comment and cut the value" % n)
        last_entry = (key, [value] if value else [], n)
        current[2].append(last_entry)
    return sections, problems


def check(text):
    """All problems found in a rules file's text, as human-readable strings (empty: the file is fine)."""
    sections, problems = parse(text)
    ids = [s[0] for s in sections if "@" not in s[0]]
    for rid, line, entries in sections:
        if "@" not in rid:
            continue
        base, _, version = rid.partition("@")
        bench = [" ".join(lines) for key, lines, _ in entries if key == "benchmarks"]
        if version not in KNOWN_VERSIONS:
            problems.append("[%s] names an unknown benchmark version" % rid)
        if bench != [version]:
            problems.append("[%s] must say benchmarks = %s (it exists only there)" % (rid, version))
        if ONLY_IN.get(rid) != version:
            problems.append("unexpected ids: %s" % rid)
    for rid, line, entries in sections:
        if "@" not in rid and any(key == "benchmarks" for key, _, _ in entries):
            problems.append("[%s]: benchmarks is only for a section named ID@VERSION" % rid)
    seen = set()
    for rid in ids:
        if rid in seen:
            problems.append("[%s] appears more than once" % rid)
        seen.add(rid)
    missing = [rid for rid in EXPECTED_IDS if rid not in seen]
    extra = [rid for rid in ids if rid not in EXPECTED_IDS]
    if missing:
        problems.append("missing ids: %s" % " ".join(missing))
    if extra:
        problems.append("unexpected ids: %s" % " ".join(extra))
    known = [rid for rid in ids if rid in EXPECTED_IDS]
    if known != sorted(known, key=id_key):
        problems.append("ids are not in benchmark order")

    ids_180 = {}
    for rid, line, entries in sections:
        where = "[%s] (line %d)" % (rid, line)
        values = {}
        for key, lines, kline in entries:
            if key in values:
                problems.append("%s: key %s given twice (line %d)" % (where, key, kline))
                continue
            values[key] = " ".join(lines)
            if key in SINGLE_LINE and len(lines) > 1:
                problems.append("%s: %s must fit on one line" % (where, key))
            if "@" in key:
                base, _, version = key.partition("@")
                if version not in KNOWN_VERSIONS:
                    problems.append("%s: %s names an unknown benchmark version" % (where, key))
        for key in REQUIRED:
            if not values.get(key):
                problems.append("%s: %s missing or empty" % (where, key))
        for key, allowed in ALLOWED.items():
            if key in values and values[key] not in allowed:
                problems.append("%s: %s = %r is not one of %s" % (where, key, values[key], sorted(allowed)))
        if re.match(r"(Ensure|Run|Enable)\b", values.get("title", "")):
            problems.append("%s: title copies the benchmark's imperative form: state the desired state instead"
                            % where)
        expected_section = section_name_for(rid)
        if "section" in values and expected_section and values["section"] != expected_section:
            problems.append("%s: section should be %r" % (where, expected_section))
        for key in ("rationale", "remediation"):
            if key in values and len(values[key]) < 40:
                problems.append("%s: %s is too short to be useful" % (where, key))
        a180 = values.get("assessment@1.8.0")
        if a180 is not None:
            if a180 not in ALLOWED["assessment"]:
                problems.append("%s: assessment@1.8.0 = %r is not automated or manual" % (where, a180))
            elif a180 == values.get("assessment"):
                problems.append("%s: assessment@1.8.0 repeats assessment (give it only where they differ)"
                                % where)
        l180 = values.get("level@1.8.0")
        if l180 is not None:
            if l180 not in ALLOWED["level"]:
                problems.append("%s: level@1.8.0 = %r is not 1 or 2" % (where, l180))
            elif l180 == values.get("level"):
                problems.append("%s: level@1.8.0 repeats level" % where)
        i180 = values.get("id@1.8.0")
        if i180 is not None:
            if not re.fullmatch(r"\d+(\.\d+)+", i180) or i180 == rid:
                problems.append("%s: id@1.8.0 = %r is not a different recommendation id" % (where, i180))
            elif i180 in ids_180:
                problems.append("%s: id@1.8.0 = %s also given for [%s]" % (where, i180, ids_180[i180]))
            ids_180[i180] = rid
        if values.get("scope") == "file":
            rem = values.get("remediation", "")
            if not re.search(r"\bch(own|mod)\b", rem):
                problems.append("%s: a file rule's remediation must give the chown or chmod to run" % where)
            if not re.search(r"/[A-Za-z]", rem):
                problems.append("%s: a file rule's remediation must name the file" % where)
            if not re.search(r"root:(root|docker)|\b[0-7]{3}\b", values.get("title", "")):
                problems.append("%s: a file rule's title must state the expected owner or mode" % where)
    return problems


def read_rules():
    with open(RULES, encoding="utf-8") as f:
        return f.read()


def test_rules_file_is_well_formed():
    problems = check(read_rules())
    assert problems == [], "\n".join(problems)


def resolved_ids(sections, version):
    """The ids a benchmark version's report uses, in file order."""
    out = []
    for rid, _, entries in sections:
        values = {key: " ".join(lines) for key, lines, _ in entries}
        if "benchmarks" in values and version not in values["benchmarks"].replace(",", " ").split():
            continue
        out.append(values.get("id@" + version, rid.partition("@")[0]))
    return out


def test_all_117_ids_in_order():
    sections, _ = parse(read_rules())
    assert [s[0] for s in sections if "@" not in s[0]] == EXPECTED_IDS
    assert len(EXPECTED_IDS) == 117
    assert resolved_ids(sections, "1.6.0") == EXPECTED_IDS


def test_v180_has_118():
    sections, _ = parse(read_rules())
    got = resolved_ids(sections, "1.8.0")
    assert len(got) == 118 == len(EXPECTED_IDS_180)
    assert sorted(got, key=id_key) == EXPECTED_IDS_180
    assert len(set(got)) == 118
    new = [entries for rid, _, entries in sections if rid == "2.7@1.8.0"]
    assert len(new) == 1
    values = {key: " ".join(lines) for key, lines, _ in new[0]}
    assert values["title"] == "The devicemapper storage driver is not used"
    assert (values["level"], values["assessment"], values["check"], values["check.option"],
            values["check.fail_if"], values["check.value"]) == ("1", "manual", "daemon_option", "storage-driver",
                                                                "eq", "devicemapper")


@pytest.mark.parametrize("version,count", [("1.6.0", 117), ("1.8.0", 118)])
def test_dockward_lists_the_rules_of_each_version(version, count):
    """The loader agrees with the file: `dockward rules` lists each version's recommendations."""
    from conftest import run_dockward
    r = run_dockward("rules", "--rules", os.path.dirname(RULES), "--benchmark", version, "-f", "json")
    assert r.rc == 0, r.err
    rules = r.json()["rules"]
    assert len(rules) == count
    want = EXPECTED_IDS if version == "1.6.0" else EXPECTED_IDS_180
    assert [x["id"] for x in rules] == want
    titles = {x["id"]: x["title"] for x in rules}
    if version == "1.8.0":
        assert titles["2.7"] == "The devicemapper storage driver is not used"
        assert titles["2.8"] == "A daemon listening on TCP requires mutual TLS"
    else:
        assert titles["2.7"] == "A daemon listening on TCP requires mutual TLS"
        assert "The devicemapper storage driver is not used" not in titles.values()


def test_v180_renumbering_of_section_2():
    """v1.8.0 inserts a new 2.7, so v1.6.0's 2.7-2.18 are 2.8-2.19 there; nothing else moves."""
    sections, _ = parse(read_rules())
    moved = {}
    for rid, _, entries in sections:
        for key, lines, _ in entries:
            if key == "id@1.8.0":
                moved[rid] = " ".join(lines)
    assert moved == {"2.%d" % i: "2.%d" % (i + 1) for i in range(7, 19)}


def libinih_entries(path):
    """(section, name, value) as the system's libinih hands them to a handler, or None without libinih."""
    name = ctypes.util.find_library("inih")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    handler_t = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p,
                                 ctypes.c_char_p)
    got = []

    def on_entry(_user, section, key, value):
        got.append((section.decode(), key.decode(), value.decode()))
        return 1

    cb = handler_t(on_entry)
    lib.ini_parse.argtypes = [ctypes.c_char_p, handler_t, ctypes.c_void_p]
    lib.ini_parse.restype = ctypes.c_int
    rc = lib.ini_parse(path.encode(), cb, None)
    assert rc == 0, "libinih reports an error on line %d" % rc
    return got


def test_libinih_reads_the_same_values():
    got = libinih_entries(RULES)
    if got is None:
        pytest.skip("libinih not installed: the file was not checked against the real parser")
    sections, _ = parse(read_rules())
    ours = [(rid, key, line) for rid, _, entries in sections for key, lines, _ in entries for line in lines]
    assert got == ours


# The checker must catch what it claims to catch: each mutation of a good file is reported.
GOOD = read_rules() if os.path.exists(RULES) else ""


def mutate(old, new, count=1):
    assert GOOD.count(old) >= 1, old
    return GOOD.replace(old, new, count)


@pytest.mark.parametrize("text,expect", [
    (lambda: mutate("[5.5]\n", "[5.55]\n"), "missing ids: 5.5"),
    (lambda: mutate("[6.1]\n", "[6.2]\n"), "[6.2] appears more than once"),
    (lambda: GOOD.replace("[1.1.2]", "[1.1.X]").replace("[1.1.3]", "[1.1.2]").replace("[1.1.X]", "[1.1.3]"),
     "ids are not in benchmark order"),
    (lambda: mutate("severity = critical\n", "severity = urgent\n"), "is not one of"),
    (lambda: mutate("scope = swarm\n", "scope = cluster\n"), "scope = 'cluster'"),
    (lambda: mutate("level = 2\n", "level = 3\n"), "level = '3'"),
    (lambda: mutate("assessment@1.8.0 = manual\n", "assessment@1.8.0 = partly\n"), "assessment@1.8.0 = 'partly'"),
    (lambda: mutate("[2.1]\ntitle", "[2.1]\nassessment@1.8.0 = manual\ntitle"), "repeats assessment"),
    (lambda: mutate("section = 5 Container Runtime\n", "section = 5 Runtime\n"), "section should be"),
    (lambda: mutate("title = Containers do not run in privileged mode\n",
                    "title = Ensure that privileged containers are not used\n"), "desired state"),
    (lambda: mutate("rationale = ", "rationale = " + "x" * 130 + " "), "more than 120"),
    (lambda: mutate("\n    ", "\n\n    "), "blank line inside the value"),
    (lambda: mutate("\n    ", "\n  "), "exactly 4 spaces"),
    (lambda: mutate("remediation = Run chown root:root /etc/docker.",
                    "remediation = Run chown root:root /etc/docker ;not this."), "inline comment"),
    (lambda: mutate("remediation = Run chmod 755 /etc/docker (owner root:root).",
                    "remediation = Make the directory less open to other users, please."), "chown or chmod"),
    (lambda: mutate("[3.5]\ntitle = ", "[3.5]\nscope = file\ntitle = "), "given twice"),
    (lambda: mutate("id@1.8.0 = 2.12\n", "id@1.8.0 = 2.10\n"), "also given for"),
    (lambda: mutate("assessment@1.8.0 = manual\n", "check@2.0 = x\nassessment@1.8.0 = manual\n"),
     "unknown benchmark version"),
    (lambda: mutate("benchmarks = 1.8.0\n", ""), "must say benchmarks = 1.8.0"),
    (lambda: mutate("[2.7@1.8.0]\nbenchmarks = 1.8.0\n", "[2.7@1.9.0]\nbenchmarks = 1.9.0\n"),
     "[2.7@1.9.0] names an unknown benchmark version"),
    (lambda: mutate("[2.7@1.8.0]\n", "[2.20@1.8.0]\n"), "unexpected ids: 2.20@1.8.0"),
    (lambda: mutate("[5.5]\ntitle", "[5.5]\nbenchmarks = 1.6.0\ntitle"), "benchmarks is only for"),
])
def test_checker_catches_broken_files(text, expect):
    problems = check(text())
    assert any(expect in p for p in problems), "expected %r in:\n%s" % (expect, "\n".join(problems))


def test_checker_allows_engine_keys():
    """The engine adds check = ... (and parameters) to each section: other keys stay allowed."""
    # keys the checker does not know itself (every rule has its check line by now)
    text = GOOD.replace("[1.2.1]\n", "[1.2.1]\ncheck.zz_extra = HostConfig.Privileged\nfield = x\n"
                                   "expect@1.8.0 = false\n", 1)
    assert check(text) == []
