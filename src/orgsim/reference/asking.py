"""Knowledge, questions and ideas (docs/model.md 7.6, 7.7) of one person, written the plain way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from orgsim.kernels.state import (
    ANSWER,
    IDEA,
    QUESTION,
)
from orgsim.reference.records import Question, logistic

if TYPE_CHECKING:
    from orgsim.reference.model import ReferenceModel


class Asker:
    """The questions and ideas part of :class:`orgsim.reference.Employee`."""

    model: ReferenceModel

    def learn(self, topic: int) -> None:
        """Add a topic to what one knows."""
        self.knowledge.add(topic)

    def ask_question(self) -> None:
        """A work problem on a topic one does not know: ask on the platform, or by e-mail and the hierarchy."""
        m, b = self.model, self.model.b
        topic = None
        for _ in range(4):
            if self.random.random() < b.question_home_share:
                per = max(1, m.n_topics // m.n_departments)
                t = (self.department % m.n_departments + m.n_departments * self.random.randrange(per)) % m.n_topics
            else:
                t = self.random.randrange(m.n_topics)
            if t not in self.knowledge:
                topic = t
                break
        if topic is None:
            return
        on_platform = (self.can_write() and self.is_active()
                       and self.random.random() < logistic(self.post_score() + b.help_ease))
        if not on_platform and self.is_external:
            return
        question = Question(self, topic, m.day, holder=None if on_platform else self.manager, via=self)
        m.questions.append(question)
        m.count["questions_asked"] += 1
        if on_platform:
            m.count["questions_asked_platform"] += 1
            self.post_question(question)

    def post_question(self, question: Question) -> None:
        """Post a question on the platform (the asker, or a manager routing it)."""
        question.posted = self.model.day
        self.write(QUESTION, question.topic, question)

    def answer(self, question: Question, on_platform: bool) -> None:
        """Answer a question: close it and teach the asker."""
        m, asker = self.model, question.asker
        question.open = False
        m.count["questions_answered"] += 1
        m.count["sum_answer_days"] += m.day - question.day
        asker.learn(question.topic)
        if on_platform:
            self.interact_on_platform(asker)
            m.count["questions_answered_platform"] += 1
            self.publish(ANSWER, question.topic, question)
            self.contribute(reply=True)
            self.get_feedback()
            asker.usefulness += m.b.usefulness_rate * (1.0 - asker.usefulness)
        else:
            m.record_interaction(self, question.via)

    def new_idea(self) -> None:
        """An idea: an active member posts it for endorsement, otherwise it queues for executive sign-off."""
        m = self.model
        if self.can_write() and self.is_active():
            if self.random.random() < logistic(self.post_score() + m.b.help_ease):
                self.write(IDEA)
                m.count["ideas_posted"] += 1
                return
        if self.is_external:
            return
        m.idea_queue.append(m.day)
        m.count["ideas_posted"] += 1
