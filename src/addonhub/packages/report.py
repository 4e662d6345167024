"""A validation report, and its JSON in the shape AMO stores and returns as `validation_results`."""

import hashlib
from dataclasses import dataclass, field

ERROR, WARNING, NOTICE = "error", "warning", "notice"


@dataclass
class Message:
    type: str
    code: str
    message: str
    description: str = ""
    file: str | None = None
    line: int | None = None


@dataclass
class Report:
    messages: list[Message] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)

    def add(self, type: str, code: str, message: str, description: str = "", file: str | None = None,
            line: int | None = None) -> None:
        self.messages.append(Message(type, code, message, description, file, line))

    def error(self, code: str, message: str, **where) -> None:
        self.add(ERROR, code, message, **where)

    def warning(self, code: str, message: str, **where) -> None:
        self.add(WARNING, code, message, **where)

    def notice(self, code: str, message: str, **where) -> None:
        self.add(NOTICE, code, message, **where)

    def count(self, type: str) -> int:
        return sum(1 for message in self.messages if message.type == type)

    @property
    def has_errors(self) -> bool:
        return self.count(ERROR) > 0

    def as_amo_json(self) -> dict:
        order = {ERROR: 0, WARNING: 1, NOTICE: 2}
        messages = sorted(self.messages, key=lambda m: order[m.type])
        return {
            "success": not self.has_errors,
            "errors": self.count(ERROR),
            "warnings": self.count(WARNING),
            "notices": self.count(NOTICE),
            "compatibility_summary": {"errors": 0, "warnings": 0, "notices": 0},
            "metadata": self.metadata,
            "messages": [_message_json(m) for m in messages],
            "ending_tier": 5,
        }


def _message_json(message: Message) -> dict:
    uid = hashlib.sha256(f"{message.code}\0{message.file}\0{message.line}\0{message.message}".encode()).hexdigest()[:32]
    body = {
        "uid": uid,
        "type": message.type,
        "id": [message.code],
        "tier": 1,
        "message": message.message,
        "description": [message.description] if message.description else [],
        "file": message.file or "",
    }
    if message.line is not None:
        body["line"] = message.line
    return body
