//! Endpoints from the model's rules, as a client sees them: every partition,
//! FIPS and dual-stack from the config, the environment and the profile; a
//! custom endpoint the rules refuse; context parameters from the client, the
//! operation and the input; endpoint headers; the signing name and region an
//! endpoint names; and the KVS data-endpoint flow with FIPS on.

use endpoint_rules::types::Item;
use kinesis_video_streams::control as kinesis_video;
use kinesis_video_streams::{archived_media, ApiName, Config, Credentials, DataEndpoints};
use smithy_client_runtime::transport::{from_fn, Body};
use std::sync::{Arc, Mutex};

fn region(region: &str) -> smithy_client_runtime::ConfigBuilder {
    Config::builder().region(region)
}

#[test]
fn the_control_plane_endpoint_follows_partition_fips_and_dual_stack() {
    for (config, want) in [
        (
            region("us-west-2"),
            "https://kinesisvideo.us-west-2.amazonaws.com",
        ),
        (
            region("cn-north-1"),
            "https://kinesisvideo.cn-north-1.amazonaws.com.cn",
        ),
        (
            region("us-iso-east-1"),
            "https://kinesisvideo.us-iso-east-1.c2s.ic.gov",
        ),
        (
            region("us-east-1").use_fips(true),
            "https://kinesisvideo-fips.us-east-1.amazonaws.com",
        ),
        (
            region("us-gov-west-1").use_fips(true),
            "https://kinesisvideo-fips.us-gov-west-1.amazonaws.com",
        ),
        (
            region("us-east-1").use_dual_stack(true),
            "https://kinesisvideo.us-east-1.api.aws",
        ),
        (
            region("us-east-1").use_fips(true).use_dual_stack(true),
            "https://kinesisvideo-fips.us-east-1.api.aws",
        ),
    ] {
        let client = kinesis_video::Client::new(&config.build());
        assert_eq!(client.endpoint(), Ok(want));
    }
}

#[test]
fn fips_and_dual_stack_come_from_the_environment_and_the_profile() {
    let env = |pairs: &[(&str, &str)]| {
        let mut vars: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.push(("AWS_CONFIG_FILE".into(), "/nonexistent/config".into()));
        vars.push((
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            "/nonexistent/credentials".into(),
        ));
        vars
    };
    let from = |vars| kinesis_video::Client::new(&Config::from_vars(vars).build());
    let client = from(env(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_USE_FIPS_ENDPOINT", "true"),
    ]));
    assert_eq!(
        client.endpoint(),
        Ok("https://kinesisvideo-fips.us-east-1.amazonaws.com")
    );
    let client = from(env(&[
        ("AWS_REGION", "us-east-1"),
        ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
    ]));
    assert_eq!(
        client.endpoint(),
        Ok("https://kinesisvideo.us-east-1.api.aws")
    );

    let dir = std::env::temp_dir().join(format!("endpoints-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config");
    std::fs::write(
        &file,
        "[default]\nregion = eu-west-1\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
    )
    .unwrap();
    let vars = vec![
        ("AWS_CONFIG_FILE".to_string(), file.display().to_string()),
        (
            "AWS_SHARED_CREDENTIALS_FILE".to_string(),
            "/nonexistent/credentials".to_string(),
        ),
    ];
    let client = kinesis_video::Client::new(&Config::from_vars(vars.clone()).build());
    assert_eq!(
        client.endpoint(),
        Ok("https://kinesisvideo-fips.eu-west-1.api.aws")
    );
    // The builder overrides the profile; the environment overrides it too.
    let client =
        kinesis_video::Client::new(&Config::from_vars(vars.clone()).use_fips(false).build());
    assert_eq!(
        client.endpoint(),
        Ok("https://kinesisvideo.eu-west-1.api.aws")
    );
    let mut with_env = vars;
    with_env.push(("AWS_USE_DUALSTACK_ENDPOINT".into(), "false".into()));
    let client = kinesis_video::Client::new(&Config::from_vars(with_env).build());
    assert_eq!(
        client.endpoint(),
        Ok("https://kinesisvideo-fips.eu-west-1.amazonaws.com")
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn a_custom_endpoint_with_fips_is_the_rules_configuration_error() {
    let config = region("us-east-1")
        .use_fips(true)
        .endpoint_url("https://localhost:8443")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .build();
    let client = kinesis_video::Client::new(&config);
    let message = client.endpoint().unwrap_err().to_string();
    assert!(
        message.contains("Invalid Configuration: FIPS and custom endpoint are not supported"),
        "{message}"
    );
    let error = client
        .get_data_endpoint()
        .stream_name("cam")
        .api_name(kinesis_video::types::ApiName::GetImages)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, smithy_client_runtime::Error::Config(_)),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("FIPS and custom endpoint"),
        "{error}"
    );
    // Without a region the rules say what is missing.
    let client = kinesis_video::Client::new(&Config::builder().build());
    assert!(client
        .endpoint()
        .unwrap_err()
        .to_string()
        .contains("Missing Region"));
}

/// What the transport received: method, URI and headers.
type Sent = Arc<Mutex<Vec<http::request::Parts>>>;

fn recording(body: &'static str) -> (Sent, impl smithy_client_runtime::transport::HttpClient) {
    let sent: Sent = Default::default();
    let log = sent.clone();
    let transport = from_fn(move |request: http::Request<Body>| {
        log.lock().unwrap().push(request.into_parts().0);
        async move {
            Ok(http::Response::builder()
                .status(200)
                .body(Body::from(body))
                .unwrap())
        }
    });
    (sent, transport)
}

#[tokio::test]
async fn with_fips_the_data_endpoint_comes_from_the_fips_control_plane_and_is_used_as_returned() {
    let (sent, transport) =
        recording(r#"{"DataEndpoint":"https://b-1234.kinesisvideo-fips.us-east-1.amazonaws.com"}"#);
    let config = region("us-east-1")
        .use_fips(true)
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(transport)
        .build();
    let endpoints = DataEndpoints::new(&config);
    let client: archived_media::Client = endpoints
        .archived_media_client("cam", ApiName::GetImages)
        .await
        .unwrap();
    assert_eq!(
        client.endpoint(),
        Ok("https://b-1234.kinesisvideo-fips.us-east-1.amazonaws.com")
    );
    let sent = sent.lock().unwrap();
    assert_eq!(
        sent[0].uri.to_string(),
        "https://kinesisvideo-fips.us-east-1.amazonaws.com/getDataEndpoint"
    );
}

fn storage(config: smithy_client_runtime::ConfigBuilder) -> (Sent, endpoint_rules::Client) {
    let (sent, transport) = recording("{}");
    let config = config
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .http_client(transport)
        .build();
    (sent, endpoint_rules::Client::new(&config))
}

fn header(parts: &http::request::Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn an_input_member_and_a_client_parameter_choose_the_host() {
    let (sent, client) = storage(region("us-west-2").endpoint_url("http://localhost:8000/base"));
    client
        .put_object()
        .bucket("pics")
        .key("a.jpg")
        .send()
        .await
        .unwrap();
    client
        .clone()
        .with_force_path_style(true)
        .put_object()
        .bucket("pics")
        .key("b.jpg")
        .send()
        .await
        .unwrap();
    // A bucket that is no host label stays in the path.
    client
        .put_object()
        .bucket("Not_A_Label")
        .key("c.jpg")
        .send()
        .await
        .unwrap();
    let sent = sent.lock().unwrap();
    let uris: Vec<String> = sent.iter().map(|p| p.uri.to_string()).collect();
    assert_eq!(
        uris,
        [
            "http://pics.localhost:8000/base/objects/a.jpg",
            "http://localhost:8000/base/objects/b.jpg",
            "http://localhost:8000/base/objects/c.jpg",
        ]
    );
    // The operation's static parameter reached the rules' header.
    assert_eq!(
        header(&sent[1], "x-operation-type").as_deref(),
        Some("data")
    );
}

#[tokio::test]
async fn a_path_over_the_input_and_a_string_client_parameter_reach_the_rules() {
    let (sent, client) = storage(region("us-west-2").endpoint_url("http://localhost:8000"));
    client
        .list_things()
        .items(vec![
            Item::builder().name("first").build().unwrap(),
            Item::builder().name("second").build().unwrap(),
        ])
        .send()
        .await
        .unwrap();
    client.list_things().send().await.unwrap();
    client
        .clone()
        .with_stage("beta")
        .list_things()
        .send()
        .await
        .unwrap();
    let sent = sent.lock().unwrap();
    assert_eq!(header(&sent[0], "x-first-item").as_deref(), Some("first"));
    assert_eq!(header(&sent[1], "x-first-item"), None);
    assert_eq!(
        header(&sent[1], "x-operation-type").as_deref(),
        Some("control")
    );
    assert_eq!(sent[2].uri.to_string(), "http://localhost:8000/beta/things");
}

#[tokio::test]
async fn the_endpoint_names_the_signing_name_and_region() {
    let (sent, client) = storage(region("cn-north-1"));
    client.list_things().send().await.unwrap();
    let sent = sent.lock().unwrap();
    assert_eq!(
        sent[0].uri.to_string(),
        "https://storage.cn-north-1.amazonaws.com.cn/things"
    );
    let authorization = header(&sent[0], "authorization").unwrap();
    assert!(
        authorization.contains("/cn-north-1/storage-signing/aws4_request"),
        "{authorization}"
    );
}

#[tokio::test]
async fn the_account_id_comes_from_the_credentials_per_call() {
    let with_account = |mode: Option<&str>| {
        let (sent, transport) = recording("{}");
        let mut config = region("us-west-2")
            .credentials(
                Credentials::new("AKID", "SECRET", None, None, "test")
                    .with_account_id("123456789012"),
            )
            .http_client(transport);
        if let Some(mode) = mode {
            config = config.account_id_endpoint_mode(mode);
        }
        (sent, endpoint_rules::Client::new(&config.build()))
    };
    let (sent, client) = with_account(None);
    client.list_things().send().await.unwrap();
    let (sent_disabled, client) = with_account(Some("disabled"));
    client.list_things().send().await.unwrap();
    assert_eq!(
        sent.lock().unwrap()[0].uri.to_string(),
        "https://123456789012.storage.us-west-2.amazonaws.com/things"
    );
    assert_eq!(
        sent_disabled.lock().unwrap()[0].uri.to_string(),
        "https://storage.us-west-2.amazonaws.com/things"
    );
    // Required, with credentials that carry no account id: the rules' error.
    let (_, client) = storage(region("us-west-2").account_id_endpoint_mode("required"));
    let error = client.list_things().send().await.unwrap_err();
    assert!(
        error.to_string().contains("no AccountId was provided"),
        "{error}"
    );
}

#[test]
fn a_model_without_rules_uses_its_partitions_regional_endpoint() {
    for (config, want) in [
        (
            region("us-west-2"),
            "https://kitchensink.us-west-2.amazonaws.com",
        ),
        (
            region("cn-north-1"),
            "https://kitchensink.cn-north-1.amazonaws.com.cn",
        ),
        (
            region("us-east-1").use_fips(true),
            "https://kitchensink-fips.us-east-1.amazonaws.com",
        ),
        (
            region("us-east-1").use_dual_stack(true),
            "https://kitchensink.us-east-1.api.aws",
        ),
        (
            region("us-east-1").endpoint_url("http://localhost:1"),
            "http://localhost:1",
        ),
    ] {
        let client = kitchen_sink::Client::new(&config.build());
        assert_eq!(client.endpoint(), Ok(want));
    }
}
