#!/usr/bin/env python3
"""The documentation must say what the program does.

    tests/docs.py SOSIM ROOT            check, exit 1 with what is stale
    tests/docs.py SOSIM ROOT --update   rewrite the generated blocks

Checks:
- the profile and quirk tables in README.md and docs/scenario-language.md
  (between "<!-- generated: NAME -->" and "<!-- end generated -->") are
  what `sosim list profiles` and `sosim list quirks` print today;
- every operation and statement the parser knows (the tables in
  sim/scenario/parse_ops.c and parse_statements.c) appears in the grammar
  summary and in the language reference;
- README.md's example is the scenario file it names, and the first command
  in README.md sets the machine up (so the README works in the order
  written on a fresh clone).
"""
import re
import subprocess
import sys

BEGIN = "<!-- generated: %s (tests/docs.py --update) -->"
END = "<!-- end generated -->"


def sosim_list(sosim, what):
    out = subprocess.run([sosim, "list", what], check=True, capture_output=True, text=True).stdout
    entries = []
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line[0].isspace():
            name, _, title = line.partition(" ")
            entries.append({"name": name, "title": title.strip(), "more": {}})
        else:
            key, sep, val = line.strip().partition(": ")
            if sep and entries:
                entries[-1]["more"][key] = val
    return entries


def md_escape(s):
    return s.replace("|", "\\|")


def profiles_table(sosim):
    rows = ["| Profile | Kernel |", "|---|---|"]
    for e in sosim_list(sosim, "profiles"):
        rows.append("| `%s` | %s |" % (e["name"], md_escape(e["title"])))
    return "\n".join(rows)


def quirks_table(sosim):
    rows = ["| Quirk | The historical bug | On in |", "|---|---|---|"]
    for e in sosim_list(sosim, "quirks"):
        on = e["more"].get("on in", "?")
        on = "no profile (switch it on)" if on == "no profile" else ", ".join(
            "`%s`" % p.strip() for p in on.split(","))
        rows.append("| `%s` | %s | %s |" % (e["name"], md_escape(e["title"]), on))
    return "\n".join(rows)


def profiles_sentence(sosim):
    names = ["`%s`" % e["name"] for e in sosim_list(sosim, "profiles")]
    return "It ships the profiles %s and %s," % (", ".join(names[:-1]), names[-1])


def blocks(sosim):
    return {
        "profiles": profiles_table(sosim),
        "quirks": quirks_table(sosim),
    }


def fill(text, gen, path, problems, update):
    def repl(m):
        name = m.group(1)
        if name not in gen:
            problems.append("%s: unknown generated block '%s'" % (path, name))
            return m.group(0)
        want = gen[name]
        if m.group(2).strip("\n") != want:
            problems.append("%s: the '%s' table is not what `sosim list %s` prints"
                            % (path, name, name))
        return BEGIN % name + "\n" + want + "\n" + END

    pat = re.compile(re.escape(BEGIN).replace("%s", "([a-z]+)") + r"\n(.*?)" + re.escape(END), re.S)
    found = [m.group(1) for m in pat.finditer(text)]
    return pat.sub(repl, text), found


def parser_names(root, path):
    src = open("%s/%s" % (root, path)).read()
    return re.findall(r'\{ "([a-z_]+)", (?:op|st)_[a-z_]+ \}', src)


def main():
    sosim, root = sys.argv[1], sys.argv[2]
    update = "--update" in sys.argv[3:]
    problems = []
    gen = blocks(sosim)

    for doc, need in (("README.md", ["profiles", "quirks"]),
                      ("docs/scenario-language.md", ["profiles", "quirks"])):
        path = "%s/%s" % (root, doc)
        text = open(path).read()
        new, found = fill(text, gen, doc, problems, update)
        for n in need:
            if n not in found:
                problems.append("%s: no generated '%s' table (add the markers)" % (doc, n))
        if update and new != text:
            open(path, "w").write(new)

    # the README's one-line summary of the profiles
    readme = open("%s/README.md" % root).read()
    if profiles_sentence(sosim) not in " ".join(readme.split()):
        problems.append("README.md: the first paragraph should say: %s" % profiles_sentence(sosim))

    # every operation and statement in the grammar summary and the reference
    lang = open("%s/docs/scenario-language.md" % root).read()
    m = re.search(r"## Grammar summary\n\n```\n(.*?)```", lang, re.S)
    grammar = m.group(1) if m else ""
    if not grammar:
        problems.append("docs/scenario-language.md: no grammar summary")
    reference = lang[:m.start()] if m else lang
    for kind, path in (("operation", "sim/scenario/parse_ops.c"),
                       ("statement", "sim/scenario/parse_statements.c")):
        names = parser_names(root, path)
        if not names:
            problems.append("%s: no %s table found" % (path, kind))
        for n in names:
            if not re.search(r'"%s"' % re.escape(n), grammar):
                problems.append("docs/scenario-language.md: the grammar summary lacks the %s '%s'" % (kind, n))
            if not re.search(r"`%s[ `]|^### %s$" % (re.escape(n), re.escape(n)), reference, re.M):
                problems.append("docs/scenario-language.md: the %s '%s' is not described" % (kind, n))

    # README: the example is a file, and the first command sets up
    m = re.search(r"## Example\n\n(?:[^\n]*\n)*?```\n((?:[^\n]*\n)*?)```", readme)
    named = re.search(r"`(scenarios/[^`]+\.scn)`", readme[m.start():]) if m else None
    if not m or not named:
        problems.append("README.md: the example should name its scenario file")
    else:
        body = [l for l in m.group(1).splitlines() if l.strip() and not l.startswith("#")]
        try:
            scn = open("%s/%s" % (root, named.group(1))).read().splitlines()
        except OSError as e:
            problems.append("README.md: the example's file %s: %s" % (named.group(1), e.strerror))
            scn = None
        if scn is not None:
            scn = [l for l in scn if l.strip() and not l.startswith("#")]
            if body != scn:
                problems.append("README.md: the example differs from %s" % named.group(1))
    first = re.search(r"```\n((?:\./|build/|sosim|meson|git|sudo|apt)[^\n]*)", readme)
    if not first or not first.group(1).startswith("./dev.sh"):
        problems.append("README.md: the first command is '%s', not ./dev.sh (it must work on a fresh clone)"
                        % (first.group(1) if first else "none"))

    for p in problems:
        print(p)
    if problems and not update:
        print("%d problems; tests/docs.py SOSIM . --update regenerates the tables" % len(problems))
        return 1
    print("docs: profiles, quirks, operations, statements and the README example are current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
