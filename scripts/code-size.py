#!/usr/bin/env python3
"""Prints the ten longest methods and the ten largest files of the main sources, in lines.

With --max-method N and/or --max-file N it exits 1 when a method or a file is longer, naming each one.
A method's length runs from its declaration's line to its closing brace's; lambdas and anonymous classes count
with the method they stand in.
"""
import argparse
import pathlib
import re
import sys

KINDS = re.compile(r'\b(class|interface|enum|record)\b')
CALLABLE = re.compile(r'(\w+)\s*(\([^()]*(\([^()]*\)[^()]*)*\))?\s*(throws\s+[\w.,\s<>]+)?$')
NOT_METHODS = {'if', 'for', 'while', 'switch', 'catch', 'synchronized', 'try', 'else', 'do', 'finally', 'return',
               'new', 'default'}


def blank_out(text):
    """The text with comments, strings and char literals replaced by spaces (newlines kept, so lines still count)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith('"""', i):
            j = text.find('"""', i + 3)
            while j > 0 and text[j - 1] == '\\':
                j = text.find('"""', j + 1)
            j = n if j < 0 else j + 3
        elif text[i] in '"\'':
            j = i + 1
            while j < n and text[j] != text[i]:
                j += 2 if text[j] == '\\' else 1
            j += 1
        else:
            out.append(text[i])
            i += 1
            continue
        out.append(re.sub(r'[^\n]', ' ', text[i:j]))
        i = j
    return ''.join(out)


def methods(path):
    """(length, name, first line) of each method, constructor and initializer of the file."""
    code = blank_out(path.read_text(encoding='utf-8'))
    found = []
    stack = []  # (kind, name, line)
    header_start = 0
    line = 1
    for i, ch in enumerate(code):
        if ch == '\n':
            line += 1
        elif ch == '{':
            header = ' '.join(code[header_start:i].split())
            header = re.sub(r'@\w+(\([^)]*\))?\s*', '', header).strip()
            enclosing = stack[-1][0] if stack else 'file'
            if KINDS.search(header) and not header.startswith('new ') and '=' not in header:
                stack.append(('type', header, line))
            elif enclosing == 'type' and (header in ('static', '') or is_callable(header)) and '=' not in header:
                name = header.split('(')[0].split()[-1] if header not in ('static', '') else '<init>'
                stack.append(('method', name, first_line(code, header_start, line, i)))
            else:
                stack.append(('block', '', line))
            header_start = i + 1
        elif ch == '}':
            if stack:
                kind, name, start = stack.pop()
                if kind == 'method':
                    found.append((line - start + 1, name, start))
            header_start = i + 1
        elif ch == ';':
            header_start = i + 1
    return found


def is_callable(header):
    """Whether a header in a class body declares a method or constructor (not a statement's block)."""
    words = header.split('(')[0].split()
    return bool(CALLABLE.search(header)) and bool(words) and words[-1] not in NOT_METHODS


def first_line(code, header_start, line_at_brace, brace):
    """The line on which the header before the brace begins (its first non-blank character)."""
    head = code[header_start:brace]
    stripped = head.lstrip()
    skipped = head[:len(head) - len(stripped)]
    return line_at_brace - head.count('\n') + skipped.count('\n')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--root', default='src/main/java')
    parser.add_argument('--max-method', type=int)
    parser.add_argument('--max-file', type=int)
    args = parser.parse_args()
    root = pathlib.Path(args.root)
    files, all_methods = [], []
    for path in sorted(root.rglob('*.java')):
        rel = path.relative_to(root)
        files.append((len(path.read_text(encoding='utf-8').splitlines()), str(rel)))
        all_methods += [(length, f'{rel}:{start} {name}') for length, name, start in methods(path)]
    files.sort(reverse=True)
    all_methods.sort(reverse=True)
    print('longest methods (lines):')
    for length, where in all_methods[:10]:
        print(f'  {length:5d}  {where}')
    print('largest files (lines):')
    for length, where in files[:10]:
        print(f'  {length:5d}  {where}')
    over = [f'method {w}: {n} lines' for n, w in all_methods if args.max_method and n > args.max_method]
    over += [f'file {w}: {n} lines' for n, w in files if args.max_file and n > args.max_file]
    for problem in over:
        print(f'code-size: over the limit: {problem}', file=sys.stderr)
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main())
