// Package config reads the toolkit's settings.
//
// config.yaml at the project root is Hugo's site configuration; the
// toolkit's own settings live under its params key, so the site can show
// the very values the tools used. Viper reads that file; environment
// variables named WCO_ plus the key path in capitals with dots as
// underscores (WCO_DISCLOSURE_THRESHOLD for params.disclosure.threshold)
// override it, and command-line flags override both.
//
// Secrets are never read from the file: the pseudonym key comes only from
// WCO_PSEUDONYM_KEY and the source token only from WCO_SOURCE_TOKEN, and a
// config.yaml that holds either is refused.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
)

// FileName is the configuration file at the project root.
const FileName = "config.yaml"

// Environment variables that hold secrets.
const (
	EnvPseudonymKey = "WCO_PSEUDONYM_KEY"
	EnvSourceToken  = "WCO_SOURCE_TOKEN"
)

// secretKeys may never appear under params in config.yaml.
var secretKeys = []string{"pseudonym_key", "source_token"}

// Config is the toolkit's effective configuration.
type Config struct {
	// Path is the configuration file; its folder is the Hugo site.
	Path string `mapstructure:"-"`

	Disclosure struct {
		Threshold int `mapstructure:"threshold"`
	} `mapstructure:"disclosure"`

	Check struct {
		MaxProblems int `mapstructure:"max_problems"`
	} `mapstructure:"check"`

	Deliveries struct {
		Store string `mapstructure:"store"`
		Keep  int    `mapstructure:"keep"`
	} `mapstructure:"deliveries"`

	// Exports maps a records system's own column names to the contract's,
	// per export: exports.detainer_log.columns.received_at: "RECV_DT".
	Exports map[string]ExportMapping `mapstructure:"exports"`

	PseudonymKey string `mapstructure:"-"`
	SourceToken  string `mapstructure:"-"`
}

// ExportMapping describes how one export's file differs from the contract.
type ExportMapping struct {
	// Columns maps a contract column name to the file's column name.
	Columns map[string]string `mapstructure:"columns"`
}

// SiteDir is the Hugo site's folder: the one holding config.yaml.
func (c *Config) SiteDir() string { return filepath.Dir(c.Path) }

// Rename returns, per export, the map from the file's column names to the
// contract's, as the row reader wants it.
func (c *Config) Rename() map[string]map[string]string {
	out := map[string]map[string]string{}
	for export, m := range c.Exports {
		r := map[string]string{}
		for contractName, fileName := range m.Columns {
			r[fileName] = contractName
		}
		out[export] = r
	}
	return out
}

// Find looks for config.yaml in dir and its parents.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s in %s or any folder above it: run wco from the project, or pass --config", FileName, abs)
		}
	}
}

// Load reads path, then the environment, then the flags that were set.
// Flags are bound by name: --threshold to disclosure.threshold.
func Load(path string, flags *pflag.FlagSet) (*Config, error) {
	file := viper.New()
	file.SetConfigFile(path)
	if err := file.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read configuration %s: %w", path, err)
	}
	for _, k := range secretKeys {
		if file.IsSet("params." + k) {
			return nil, fmt.Errorf("configuration %s: params.%s is a secret: remove it from the file and set %s in the environment", path, k, "WCO_"+strings.ToUpper(k))
		}
	}
	// A fresh instance over params (not Sub, whose environment names would
	// carry a PARAMS_ part) so WCO_DISCLOSURE_THRESHOLD names disclosure.threshold.
	v := viper.New()
	if err := v.MergeConfigMap(file.GetStringMap("params")); err != nil {
		return nil, fmt.Errorf("configuration %s: params: %w", path, err)
	}
	v.SetDefault("disclosure.threshold", 11)
	v.SetDefault("check.max_problems", 50)
	v.SetDefault("deliveries.store", ".wco/deliveries")
	v.SetDefault("deliveries.keep", 10)
	v.SetDefault("exports", map[string]any{})
	v.SetEnvPrefix("WCO")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if flags != nil {
		for key, flag := range map[string]string{"disclosure.threshold": "threshold"} {
			if f := flags.Lookup(flag); f != nil {
				if err := v.BindPFlag(key, f); err != nil {
					return nil, err
				}
			}
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.Path = abs
	c.PseudonymKey = os.Getenv(EnvPseudonymKey)
	c.SourceToken = os.Getenv(EnvSourceToken)
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	if err := disclosure.ValidateThreshold(c.Disclosure.Threshold); err != nil {
		errs = append(errs, fmt.Errorf("params.disclosure.threshold: %w", err))
	}
	if c.Check.MaxProblems < 1 {
		errs = append(errs, errors.New("params.check.max_problems: it must be at least 1"))
	}
	if c.Deliveries.Keep < 1 {
		errs = append(errs, errors.New("params.deliveries.keep: keep at least 1 delivery"))
	}
	return errors.Join(errs...)
}
