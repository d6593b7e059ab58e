"""Presenter mode: the audience window on the projector, the presenter window on the
laptop (current and next slide, speaker notes, timer, clock, pacing), driven by the keys
a clicker sends. Start it with :class:`~desktop.ui.presenter.session.PresentationSession`.
"""
