// StampedeScenario — placeholder until its first file lands; replaced, never shipped empty.
