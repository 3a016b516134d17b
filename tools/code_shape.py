#!/usr/bin/env python3
"""The code's shape, checked from the sources: no C++ file over 600 lines, no
function over 60 (docs/architecture.md, "Code"). ctest runs it (code_shape), so
a change that grows a file or a function past the limit fails the suite; the
fix is a split by concern, not a higher limit.

    tools/code_shape.py [SOURCE_DIR]     check the tree (default: this checkout)
    tools/code_shape.py --self-test      check the scanner itself on samples

A function is measured from the line of its opening brace to the line of its
closing brace. The scanner is a heuristic brace-depth reader, not a C++ parser:
comments, string, character and raw-string literals are blanked out first;
namespaces, extern "C" and class bodies are transparent (so member functions
defined in a class are measured too); a brace whose head ends like a function
signature (`)`, then const/noexcept/override/-> T/try...) opens a function, and
braces inside it are its own; any other brace (an initialiser, an enum, a
member's brace-initialiser) is skipped with everything inside it.
"""
import os
import re
import sys

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 60
FOLDERS = ("core", "config", "db", "playlist", "daemon", "tests")
EXTENSIONS = (".cpp", ".hpp", ".h", ".cc")

# Files exempt from the limits, with why. Keep it short, and empty when you can.
ALLOWED: dict[str, str] = {}

_SIGNATURE_TAIL = re.compile(
    r"\)\s*(?:const\b|noexcept\b(?:\s*\([^()]*\))?|override\b|final\b|mutable\b|volatile\b|&&?|"
    r"->\s*[\w:<>,\s*&]+?|\s)*(?:try\s*)?$"
)
_TRANSPARENT = re.compile(r'^\s*(?:inline\s+)?namespace\b[^=]*$|^\s*extern\s+"[^"]*"\s*$')  # "C" is blanked
_CLASS = re.compile(r"(?:^|[\s;>])(?:class|struct|union)\s+[\w:]+(?:\s+final)?(?:\s*:[^()]*)?\s*$|"
                    r"(?:^|[\s;>])(?:class|struct|union)\s*$")
_INITIALISER_LIST = re.compile(r"\)\s*(?:noexcept\b\s*)?:(?!:).*[\w>]\s*$")


def blank_literals(text):
    """The text with comments and literals replaced by spaces (line breaks kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('"', i + 1) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^()\\\s]{0,16})\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i + m.end())
            end = n if end < 0 else end + len(m.group(1)) + 2
            out.append('""' + re.sub(r"[^\n]", " ", text[i + 2:end]))
            i = end
        elif c in "\"'":
            if c == "'" and i > 0 and text[i - 1].isalnum() and i + 1 < n and text[i + 1].isalnum():
                out.append(" ")  # a digit separator: 1'000'000
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (min(j, n) - i - 1) + (c if j < n else ""))
            i = j + 1
        elif c == "#" and (i == 0 or text[i - 1] == "\n" or text[:i].rsplit("\n", 1)[-1].strip() == ""):
            j = i
            while True:  # a preprocessor line, with its continuations
                k = text.find("\n", j)
                if k < 0:
                    k = n
                    break
                if text[k - 1] != "\\":
                    break
                j = k + 1
            out.append(re.sub(r"[^\n]", " ", text[i:k]))
            i = k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def long_functions(text, limit=MAX_FUNCTION_LINES):
    """(first line, lines, head) of every function longer than `limit` lines."""
    code = blank_literals(text)
    found = []
    stack = []  # (kind, line, head): kind is scope, function, block or skip
    head = ""
    line = 1
    for c in code:
        if c == "\n":
            line += 1
            head += " "
            continue
        inner = stack[-1][0] if stack else "scope"
        if c == "{":
            if inner in ("function", "block"):
                kind = "block"
            elif inner == "skip":
                kind = "skip"
            elif _TRANSPARENT.search(head) or _CLASS.search(head):
                kind = "scope"
            elif _SIGNATURE_TAIL.search(head) or head.rstrip().endswith("{}"):
                kind = "function"  # "{}" ends a head only after a member's brace-initialiser
            elif _INITIALISER_LIST.search(head):
                kind = "member-init"  # Foo(int x) : a_{x}, b_{...} {: the body is still to come
            else:
                kind = "skip"
            stack.append((kind, line, head))
            head = ""
        elif c == "}":
            if not stack:
                continue  # unbalanced (a macro's trick): ignore rather than guess
            kind, first, opened_by = stack.pop()
            if kind == "function" and line - first + 1 > limit:
                found.append((first, line - first + 1, " ".join(opened_by.split())[-70:]))
            # After a member's brace-initialiser the constructor's head goes on.
            head = opened_by + "{}" if kind == "member-init" else ""
        elif c == ";":
            head = ""
        else:
            head += c
        if len(head) > 2000:
            head = head[-2000:]
    return found


def check_file(path, name):
    """Problems of one file, as printable lines."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    problems = []
    lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    if lines > MAX_FILE_LINES:
        problems.append(f"{name}: {lines} lines (at most {MAX_FILE_LINES}): split it by concern")
    for first, length, head in long_functions(text):
        problems.append(f"{name}:{first}: function of {length} lines (at most {MAX_FUNCTION_LINES}): {head}")
    return problems


def check_tree(root):
    problems, checked = [], 0
    for folder in FOLDERS:
        for directory, subdirs, files in os.walk(os.path.join(root, folder)):
            subdirs.sort()
            for file in sorted(files):
                if not file.endswith(EXTENSIONS):
                    continue
                path = os.path.join(directory, file)
                name = os.path.relpath(path, root)
                if name in ALLOWED:
                    continue
                checked += 1
                problems += check_file(path, name)
    return problems, checked


def self_test():
    """The scanner on samples whose answer is known; returns the failures."""
    def body(n):  # a function of exactly n lines, braces included
        return "int f(int x) {\n" + "    x += 1;\n" * (n - 2) + "}\n"

    cases = [
        ("61 lines", body(61), [61]),
        ("60 lines", body(60), []),
        ("member function in a class", "struct S {\n    void g() const noexcept {\n" + "        ;\n" * 60 + "    }\n};\n", [62]),
        ("namespaces are transparent", "namespace a {\nnamespace {\n" + body(61) + "}\n}  // namespace a\n", [61]),
        ("braces in strings and comments", body(59).replace("x += 1;", 'x += 1; // }}} "{"', 1)
         .replace("    x += 1;\n", '    auto s = R"(}\n}\n{)"; const char c = \'}\';\n', 1), [61]),
        ("an initialiser table is no function", "const std::map<int, int> m = {\n" + "    {1, 2},\n" * 70 + "};\n", []),
        ("enum", "enum class E {\n" + "    a,\n" * 70 + "};\n", []),
        ("constructor with brace-initialised members", "S::S(int x) : a_{x}, b_(x) {\n" + "    ;\n" * 60 + "}\n", [62]),
        ("constructor whose last member is brace-initialised", "S::S(int x) : a_(f(x)), b_{x} {\n" + "    ;\n" * 60 + "}\n", [62]),
        ("trailing return type", "auto f() -> int {\n" + "    ;\n" * 60 + "}\n", [62]),
        ("a lambda inside is part of the function", "void f() {\n    auto g = [](int y) {\n" + "        ;\n" * 30
         + "    };\n" + "    ;\n" * 30 + "}\n", [64]),
        ("extern \"C\" is transparent", 'extern "C" {\n' + body(61) + "}\n", [61]),
        ("function-try-block", "int main() try {\n" + "    ;\n" * 60 + "} catch (...) {\n    return 1;\n}\n", [62]),
        ("digit separators are no character literals", "void f() {\n    int n = 1'000'000;\n" + "    ;\n" * 60 + "}\n", [63]),
    ]
    failures = []
    for name, text, expected in cases:
        got = [length for _, length, _ in long_functions(text)]
        if got != expected:
            failures.append(f"self-test '{name}': expected functions of {expected} lines, found {got}")
    return failures


def main(argv):
    if argv[1:] == ["--self-test"]:
        failures = self_test()
        print("\n".join(failures) if failures else "code_shape self-test: ok")
        return 1 if failures else 0
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems, checked = check_tree(root)
    for problem in problems:
        print(problem)
    exempt = ", ".join(f"{name} ({why})" for name, why in ALLOWED.items())
    print(f"code_shape: {checked} files checked, {len(problems)} problems" + (f"; exempt: {exempt}" if exempt else ""))
    return 1 if problems or checked == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
