"""The house-policy configuration is read again when a file on the way up is added, removed, changed or broken
(it was read once per folder for the life of the process)."""

import os

import pytest

from einvoice import config


def test_a_configuration_added_changed_broken_and_removed_is_seen_at_the_next_call(tmp_path):
    folder = tmp_path / "work"
    folder.mkdir()
    cfg = folder / "einvoice.toml"
    assert config.load(str(folder)).rules == config.PolicyConfig().rules
    cfg.write_text('[rules]\nEINV-P-005 = "error"\n')
    assert config.load(str(folder)).severity_of("EINV-P-005") == "error"
    cfg.write_text('[rules]\nEINV-P-005 = "off"\n')
    os.utime(cfg, ns=(1, 1))  # (also when the time of change says little: the size and ctime differ)
    assert config.load(str(folder)).severity_of("EINV-P-005") == "off"
    cfg.write_text('[rules]\nEINV-P-005 = "bogus"\n')
    with pytest.raises(config.ConfigError):
        config.load(str(folder))
    cfg.unlink()
    assert config.load(str(folder)).rules == config.PolicyConfig().rules
    (tmp_path / "einvoice.toml").write_text('[rules]\nEINV-P-005 = "warning"\n')  # one folder up
    assert config.load(str(folder)).severity_of("EINV-P-005") == "warning"
