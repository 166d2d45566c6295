"""Numba kernels: the day's rules as pure functions of arrays, one module per submodel of docs/model.md 7.

Every kernel is ``@njit(**KERNEL)`` (:mod:`.jit`): arrays and scalars in, arrays updated in
place, nothing allocated. The only random state is the ``rng`` array (:mod:`.rng`).

=================  ==========================================================  ================
module             what it holds                                               docs/model.md
=================  ==========================================================  ================
``state``          layouts, codes and output counters (no numba: import freely)  2
``rng``            the generator (xoshiro256**)                                 4 (stochasticity)
``day``            the order of the day: ``step_day``, ``step_days``, counting  3, 7.11
``registration``   awareness and registration                                   7.1
``visit``          visiting, churn and a visit                                  7.2, 7.3
``feed``           what a visit reads                                           7.4
``contributions``  posts and the willingness to write                           7.3, 7.5
``questions``      knowledge and questions                                      7.6
``ideas``          ideas and the executives' queue                              7.7
``ties``           platform ties and interactions                               7.8, 7.11
``trust``          trust, abuse, moderation and monitoring                      7.9
=================  ==========================================================  ================

The meaning of every coefficient is in :mod:`orgsim.params`. The pure-Mesa reference in
:mod:`orgsim.reference` implements the same rules, slowly and readably.

This package's ``__init__`` imports nothing, so ``orgsim.kernels.state`` loads without numba.
"""
