//! API tokens on both databases: only the hash is stored, revoked tokens stop
//! working, use is recorded.

use setia_backend::api_tokens::{authenticate, create_token, list_tokens, revoke_token, Scope};
use setia_backend::audit::Actor;
use setia_backend::dispatch;

both_backends!(token_lifecycle, |app| async move {
    let db = &app.state.db;
    let actor = Actor::system("test");
    let (token, plain) = create_token(db, "Kasir 1", Scope::Pos, &actor).await.unwrap();
    assert_eq!(token.scope(), Scope::Pos);
    assert!(token.last_used_at.is_none());

    let stored: String = dispatch!(db, |c| sqlx::query_scalar::<_, String>("SELECT token_hash FROM api_tokens WHERE id = $1")
        .bind(token.id)
        .fetch_one(c)
        .await)
    .unwrap();
    assert_ne!(stored, plain.expose(), "only a hash is stored");
    assert!(!stored.contains(&plain.expose()[6..]));

    let cache = setia_backend::store_cache::StoreCache::default();
    let authenticate = |db, bearer: String| {
        let cache = &cache;
        async move {
            let store = cache.snapshot(db).await.unwrap();
            authenticate(db, cache, &store, &bearer).await
        }
    };
    let found = authenticate(db, plain.expose().to_string()).await.unwrap().expect("valid token");
    assert_eq!(found.id, token.id);
    assert!(list_tokens(db).await.unwrap()[0].last_used_at.is_some(), "use recorded");
    assert!(authenticate(db, "setia_not-a-real-token".into()).await.unwrap().is_none());
    assert!(authenticate(db, "Bearer nonsense".into()).await.unwrap().is_none());

    assert!(revoke_token(db, token.id, &actor).await.unwrap());
    assert!(authenticate(db, plain.expose().to_string()).await.unwrap().is_none(), "revoked tokens stop working");
    assert!(revoke_token(db, token.id, &actor).await.unwrap(), "revoking twice is harmless");
    assert!(!revoke_token(db, 424242, &actor).await.unwrap());
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "api_token.revoke").count(), 1);
    assert!(actions.contains(&"api_token.create".to_string()));
});
