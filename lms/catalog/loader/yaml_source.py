"""YAML parsing that remembers where each value came from.

Errors must name the line of the offending field, and PyYAML's plain `safe_load` forgets
positions; composing the node tree first keeps them. It also refuses duplicate keys, which
`safe_load` would silently resolve to the last one.
"""

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


@dataclass
class YamlSource:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path, int]] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of `path`, or of its closest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]


class YamlSyntaxError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def parse_yaml(text: str, first_line: int = 1) -> YamlSource:
    """Parse one YAML document; `first_line` offsets line numbers (front matter)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as error:
        raise _syntax_error(error, first_line) from error
    except yaml.YAMLError as error:
        raise YamlSyntaxError(str(error), None) from error
    finally:
        loader.dispose()
    source = YamlSource(data=data)
    if node is not None:
        _walk(node, (), source, first_line)
    return source


def _syntax_error(error: yaml.MarkedYAMLError, first_line: int) -> YamlSyntaxError:
    """The line where PyYAML noticed the problem, and where the construct it was reading began.

    An unclosed bracket or quote is noticed lines after it was opened; without the context
    line the author is sent to a line that has nothing wrong with it.
    """
    mark = error.problem_mark or error.context_mark
    line = mark.line + first_line if mark is not None else None
    message = error.problem or str(error)
    if error.context and error.context_mark is not None:
        context_line = error.context_mark.line + first_line
        if context_line != line:
            message = f"{message} ({error.context}, ligne {context_line})"
    return YamlSyntaxError(message, line)


def _walk(node: yaml.Node, path: Path, source: YamlSource, offset: int) -> None:
    source.lines[path] = node.start_mark.line + offset
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            if key in seen:
                source.duplicate_keys.append((child, key_node.start_mark.line + offset))
            seen.add(key)
            _walk(value_node, child, source, offset)
            # A key's own line is more useful than its value's for block values.
            source.lines[child] = key_node.start_mark.line + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), source, offset)
