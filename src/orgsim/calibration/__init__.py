"""Calibrate a scenario to a client's usage data (``orgsim calibrate``): readers, the calibration file, the fit.

- :mod:`orgsim.calibration.data`: the Microsoft 365 Viva Engage usage reports and plain CSVs, checked;
- :mod:`orgsim.calibration.config`: the calibration file (scenario, data, priors, observables, forecast);
- :mod:`orgsim.calibration.fit`: pyabc's ABC-SMC fit (resumable, deterministic for a seed), the
  posterior predictive, forecasts and counterfactual interventions.
"""
