//! Runtime stage: the shared AWS configuration files (`~/.aws/config` and
//! `~/.aws/credentials`), read the way the AWS CLI and SDKs read them, for the
//! keys this runtime uses: static credentials, `region` and `endpoint_url`
//! (also per service, through a `services` section).

use std::collections::BTreeMap;
use std::path::PathBuf;

/// One profile's keys. Sub-properties (indented lines under `key =`) are kept
/// as `key.sub`.
pub(crate) type Properties = BTreeMap<String, String>;

/// The profiles and `services` sections of both files, merged.
#[derive(Debug, Default, Clone)]
pub(crate) struct ProfileSet {
    /// The selected profile's name (`AWS_PROFILE`, else `default`).
    pub name: String,
    pub profiles: BTreeMap<String, Properties>,
    pub services: BTreeMap<String, Properties>,
    /// Files that exist but could not be read, with the reason.
    pub problems: Vec<String>,
}

impl ProfileSet {
    /// Reads both files from their usual places, honouring `AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE` and `AWS_PROFILE`. Missing files are normal
    /// and leave the set empty.
    pub fn load(env: &dyn Fn(&str) -> Option<String>) -> Self {
        let home = env("HOME").or_else(|| env("USERPROFILE"));
        let path = |var: &str, default: &str| -> Option<PathBuf> {
            match env(var) {
                Some(p) if p.starts_with("~/") => {
                    home.as_ref().map(|h| PathBuf::from(h).join(&p[2..]))
                }
                Some(p) => Some(PathBuf::from(p)),
                None => home
                    .as_ref()
                    .map(|h| PathBuf::from(h).join(".aws").join(default)),
            }
        };
        let mut set = ProfileSet {
            name: env("AWS_PROFILE").unwrap_or_else(|| "default".into()),
            ..Default::default()
        };
        // The credentials file is read second: its keys win over the config file's.
        for (file, is_config) in [
            (path("AWS_CONFIG_FILE", "config"), true),
            (path("AWS_SHARED_CREDENTIALS_FILE", "credentials"), false),
        ] {
            let Some(file) = file else { continue };
            match std::fs::read_to_string(&file) {
                Ok(text) => set.merge(&text, is_config),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => set
                    .problems
                    .push(format!("could not read {}: {e}", file.display())),
            }
        }
        set
    }

    /// The selected profile's properties, if it exists.
    pub fn selected(&self) -> Option<&Properties> {
        self.profiles.get(&self.name)
    }

    /// Merges one file's sections. In the config file, profiles other than
    /// `default` are written `[profile name]`; in the credentials file, `[name]`.
    pub fn merge(&mut self, text: &str, is_config: bool) {
        let mut current: Option<&mut Properties> = None;
        let mut parent: Option<String> = None;
        for raw in text.lines() {
            let line = strip_comment(raw);
            if line.trim().is_empty() {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            let line = line.trim();
            if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                parent = None;
                let section = section.trim();
                let words: Vec<&str> = section.split_whitespace().collect();
                current = match (is_config, words.as_slice()) {
                    (true, ["default"]) => Some(self.profiles.entry("default".into()).or_default()),
                    (true, ["profile", name]) => {
                        Some(self.profiles.entry((*name).into()).or_default())
                    }
                    (true, ["services", name]) => {
                        Some(self.services.entry((*name).into()).or_default())
                    }
                    (false, [name]) => Some(self.profiles.entry((*name).into()).or_default()),
                    // Other sections (sso-session, malformed names) are not ours.
                    _ => None,
                };
                continue;
            }
            let Some(props) = current.as_deref_mut() else {
                continue;
            };
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_string());
            if indented {
                if let Some(p) = &parent {
                    props.insert(format!("{p}.{key}"), value);
                }
            } else if value.is_empty() {
                parent = Some(key);
            } else {
                parent = None;
                props.insert(key, value);
            }
        }
    }
}

/// Removes a comment: a line starting with `#` or `;`, or one of those after
/// whitespace.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with(['#', ';']) {
        return "";
    }
    let bytes = line.as_bytes();
    for i in 1..bytes.len() {
        if (bytes[i] == b'#' || bytes[i] == b';') && bytes[i - 1].is_ascii_whitespace() {
            return &line[..i];
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_profiles_services_and_comments() {
        let mut set = ProfileSet {
            name: "dev".into(),
            ..Default::default()
        };
        set.merge(
            "# comment\n[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1 ; inline\nservices = local\n\
             [services local]\nkinesis_video =\n  endpoint_url = http://localhost:4566\n[sso-session x]\nregion = nope\n",
            true,
        );
        set.merge(
            "[dev]\naws_access_key_id = AKID\naws_secret_access_key = SECRET\n",
            false,
        );
        let dev = set.selected().unwrap();
        assert_eq!(dev["region"], "eu-west-1");
        assert_eq!(dev["aws_access_key_id"], "AKID");
        assert_eq!(
            set.services["local"]["kinesis_video.endpoint_url"],
            "http://localhost:4566"
        );
        assert_eq!(set.profiles["default"]["region"], "us-east-1");
        assert_eq!(set.profiles.len(), 2);
    }
}
