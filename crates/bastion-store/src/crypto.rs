//! Field encryption for identity and phone numbers: AES-256-GCM (default) or SM4-GCM (GB/T 32907
//! block cipher, for deployments that must use 国密) with a random nonce, and a keyed blind index
//! (HMAC-SHA256) for exact lookup. Keys come from a file or the environment and are never written
//! to the database; they are zeroised when dropped. Every ciphertext names its algorithm and key,
//! so a deployment can switch algorithm and re-encrypt with `bastion keys rotate` while running.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use std::path::Path;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::db::{StoreError, StoreResult};

/// The field cipher of new ciphertexts; old ones decrypt by the algorithm they name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cipher {
    Aes256Gcm,
    Sm4Gcm,
}

impl Cipher {
    /// The first byte of every ciphertext.
    fn version(self) -> u8 {
        match self {
            Cipher::Aes256Gcm => 1,
            Cipher::Sm4Gcm => 2,
        }
    }

    fn from_version(v: u8) -> Option<Cipher> {
        [Cipher::Aes256Gcm, Cipher::Sm4Gcm].into_iter().find(|c| c.version() == v)
    }

    pub fn name(self) -> &'static str {
        match self {
            Cipher::Aes256Gcm => "aes-256-gcm",
            Cipher::Sm4Gcm => "sm4-gcm",
        }
    }

    /// `aes-256-gcm` / `aes`, `sm4-gcm` / `sm4` (case-insensitive).
    pub fn parse(s: &str) -> StoreResult<Cipher> {
        match s.trim().to_ascii_lowercase().as_str() {
            "aes-256-gcm" | "aes256gcm" | "aes" => Ok(Cipher::Aes256Gcm),
            "sm4-gcm" | "sm4gcm" | "sm4" => Ok(Cipher::Sm4Gcm),
            other => Err(StoreError::Crypto(format!("字段加密算法“{other}”无效：应为 aes-256-gcm 或 sm4-gcm"))),
        }
    }
}

type Sm4Gcm = aes_gcm::AesGcm<sm4::Sm4, aes_gcm::aead::consts::U12>;

/// SM4 takes a 128-bit key: derive it from the 256-bit key material, domain-separated.
fn sm4_key(key: &[u8; 32]) -> [u8; 16] {
    let mut out = [0u8; 16];
    if let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) {
        mac.update(b"bastion field key: sm4-gcm");
        out.copy_from_slice(&mac.finalize().into_bytes()[..16]);
    }
    out
}

fn seal(cipher: Cipher, key: &[u8; 32], nonce: &[u8; 12], plain: &[u8]) -> StoreResult<Vec<u8>> {
    let n = Nonce::from_slice(nonce);
    let out = match cipher {
        Cipher::Aes256Gcm => Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)).encrypt(n, plain),
        Cipher::Sm4Gcm => {
            let mut k = sm4_key(key);
            let c = Sm4Gcm::new_from_slice(&k).map_err(|_| StoreError::Crypto("SM4 密钥长度无效".into()));
            k.zeroize();
            c?.encrypt(n, plain)
        }
    };
    out.map_err(|_| StoreError::Crypto("加密失败".into()))
}

fn open(cipher: Cipher, key: &[u8; 32], nonce: &[u8], sealed: &[u8]) -> StoreResult<Vec<u8>> {
    let n = Nonce::from_slice(nonce);
    let out = match cipher {
        Cipher::Aes256Gcm => Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key)).decrypt(n, sealed),
        Cipher::Sm4Gcm => {
            let mut k = sm4_key(key);
            let c = Sm4Gcm::new_from_slice(&k).map_err(|_| StoreError::Crypto("SM4 密钥长度无效".into()));
            k.zeroize();
            c?.decrypt(n, sealed)
        }
    };
    out.map_err(|_| StoreError::Crypto("解密失败（密钥不符或数据被篡改）".into()))
}

#[derive(Zeroize, ZeroizeOnDrop)]
struct KeyBytes([u8; 32]);

/// The keys of one deployment. The key id travels with every ciphertext, so after a rotation
/// old rows still decrypt with the retired key while new writes use the current one; a node that
/// meets an id it does not know reloads the key file (rotation without downtime).
pub struct Crypto {
    keys: std::sync::RwLock<Keys>,
    bidx: KeyBytes,
    file: Option<std::path::PathBuf>,
}

struct Keys {
    current: u8,
    cipher: Cipher,
    enc: Vec<(u8, KeyBytes)>,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crypto {{ key_id: {}, cipher: {}, keys: *** }}", self.key_id(), self.cipher().name())
    }
}

fn parse_hex32(name: &str, s: &str) -> StoreResult<[u8; 32]> {
    let mut v = hex::decode(s.trim()).map_err(|_| StoreError::Crypto(format!("{name} 不是十六进制")))?;
    if v.len() != 32 {
        v.zeroize();
        return Err(StoreError::Crypto(format!("{name} 应为 32 字节（64 个十六进制字符）")));
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&v);
    v.zeroize();
    Ok(out)
}

impl Crypto {
    pub fn from_keys(key_id: u8, enc: [u8; 32], bidx: [u8; 32]) -> Self {
        Self {
            keys: std::sync::RwLock::new(Keys {
                current: key_id,
                cipher: Cipher::Aes256Gcm,
                enc: vec![(key_id, KeyBytes(enc))],
            }),
            bidx: KeyBytes(bidx),
            file: None,
        }
    }

    /// The id of the key new ciphertexts use.
    pub fn key_id(&self) -> u8 {
        self.keys.read().map(|k| k.current).unwrap_or(0)
    }

    /// The algorithm new ciphertexts use.
    pub fn cipher(&self) -> Cipher {
        self.keys.read().map(|k| k.cipher).unwrap_or(Cipher::Aes256Gcm)
    }

    /// Use `cipher` for new ciphertexts (existing ones keep decrypting).
    pub fn with_cipher(self, cipher: Cipher) -> Self {
        if let Ok(mut k) = self.keys.write() {
            k.cipher = cipher;
        }
        self
    }

    /// Whether a ciphertext is under another key or algorithm than new ones (re-encrypt it).
    pub fn is_stale(&self, blob: &[u8]) -> bool {
        let Ok(k) = self.keys.read() else { return false };
        blob.len() >= 2 && (blob[1] != k.current || blob[0] != k.cipher.version())
    }

    fn enc_key(&self, id: u8) -> Option<[u8; 32]> {
        let k = self.keys.read().ok()?;
        k.enc.iter().find(|(i, _)| *i == id).map(|(_, b)| b.0)
    }

    /// Fresh random keys (tests, and the first start of a new deployment).
    pub fn generate() -> Self {
        let mut enc = [0u8; 32];
        let mut bidx = [0u8; 32];
        OsRng.fill_bytes(&mut enc);
        OsRng.fill_bytes(&mut bidx);
        Self::from_keys(1, enc, bidx)
    }

    /// `BASTION_ENC_KEY` and `BASTION_BIDX_KEY` (hex) when set; otherwise the key file, created
    /// with mode 0600 when it does not exist yet. `BASTION_CIPHER` (aes-256-gcm | sm4-gcm)
    /// overrides the file's `cipher=` line.
    pub fn load(key_file: &Path) -> StoreResult<Self> {
        let c = Self::load_keys(key_file)?;
        match std::env::var("BASTION_CIPHER") {
            Ok(v) if !v.trim().is_empty() => Ok(c.with_cipher(Cipher::parse(&v)?)),
            _ => Ok(c),
        }
    }

    fn load_keys(key_file: &Path) -> StoreResult<Self> {
        if let (Ok(enc), Ok(bidx)) = (std::env::var("BASTION_ENC_KEY"), std::env::var("BASTION_BIDX_KEY")) {
            return Ok(Self::from_keys(
                1,
                parse_hex32("BASTION_ENC_KEY", &enc)?,
                parse_hex32("BASTION_BIDX_KEY", &bidx)?,
            ));
        }
        if key_file.exists() {
            let mut c = Self::read_file(key_file)?;
            c.file = Some(key_file.to_path_buf());
            return Ok(c);
        }
        let mut c = Self::generate();
        if let Some(dir) = key_file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Crypto(e.to_string()))?;
        }
        let mut enc = c.enc_key(1).ok_or_else(|| StoreError::Crypto("密钥生成失败".into()))?;
        let mut text = format!(
            "# Bastion 字段加密密钥：请离线备份，丢失后加密字段无法恢复\nkey_id=1\nenc={}\nbidx={}\n",
            hex::encode(enc),
            hex::encode(c.bidx.0)
        );
        enc.zeroize();
        write_private(key_file, &text)?;
        text.zeroize();
        c.file = Some(key_file.to_path_buf());
        Ok(c)
    }

    fn read_file(path: &Path) -> StoreResult<Self> {
        let mut text = std::fs::read_to_string(path)
            .map_err(|e| StoreError::Crypto(format!("无法读取密钥文件 {}：{e}", path.display())))?;
        let result = Self::parse_file(&text);
        text.zeroize();
        result
    }

    /// `key_id=N`, `enc=HEX` (current), `old.M=HEX` (retired, still decrypting), `bidx=HEX`,
    /// optional `cipher=aes-256-gcm|sm4-gcm`.
    fn parse_file(text: &str) -> StoreResult<Self> {
        let mut key_id = 1u8;
        let mut cipher = Cipher::Aes256Gcm;
        let (mut enc, mut bidx) = (None, None);
        let mut old = Vec::new();
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some(v) = line.strip_prefix("key_id=") {
                key_id = v.parse().map_err(|_| StoreError::Crypto("key_id 无效".into()))?;
            } else if let Some(v) = line.strip_prefix("enc=") {
                enc = Some(parse_hex32("enc", v)?);
            } else if let Some(v) = line.strip_prefix("cipher=") {
                cipher = Cipher::parse(v)?;
            } else if let Some(v) = line.strip_prefix("bidx=") {
                bidx = Some(parse_hex32("bidx", v)?);
            } else if let Some((id, v)) = line.strip_prefix("old.").and_then(|r| r.split_once('=')) {
                let id: u8 = id.parse().map_err(|_| StoreError::Crypto("old.N 的 N 无效".into()))?;
                old.push((id, KeyBytes(parse_hex32("old", v)?)));
            }
        }
        match (enc, bidx) {
            (Some(e), Some(b)) => {
                let c = Self::from_keys(key_id, e, b).with_cipher(cipher);
                if let Ok(mut k) = c.keys.write() {
                    k.enc.extend(old);
                }
                Ok(c)
            }
            _ => Err(StoreError::Crypto("密钥文件缺少 enc= 或 bidx= 行".into())),
        }
    }

    /// Re-read the key file (another node or `bastion keys rotate` changed it).
    pub fn reload(&self) -> StoreResult<()> {
        let Some(path) = &self.file else { return Ok(()) };
        let fresh = Self::read_file(path)?;
        let (Ok(mut mine), Ok(mut theirs)) = (self.keys.write(), fresh.keys.write()) else {
            return Err(StoreError::Crypto("密钥锁失效".into()));
        };
        mine.current = theirs.current;
        mine.enc = std::mem::take(&mut theirs.enc);
        // An environment override (BASTION_CIPHER) stays in force; otherwise follow the file.
        if std::env::var("BASTION_CIPHER").map(|v| v.trim().is_empty()).unwrap_or(true) {
            mine.cipher = theirs.cipher;
        }
        Ok(())
    }

    /// Make a new current key, keep the old ones for decryption, and write the key file
    /// atomically. Returns the new key id.
    pub fn rotate_file(&self) -> StoreResult<u8> {
        let Some(path) = &self.file else {
            return Err(StoreError::Crypto("密钥来自环境变量，请在部署处更换 BASTION_ENC_KEY 并保留旧密钥".into()));
        };
        self.reload()?;
        let mut k = self.keys.write().map_err(|_| StoreError::Crypto("密钥锁失效".into()))?;
        let next = k
            .enc
            .iter()
            .map(|(i, _)| *i)
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| StoreError::Crypto("密钥编号已用尽".into()))?;
        let mut fresh = [0u8; 32];
        OsRng.fill_bytes(&mut fresh);
        let mut text = format!(
            "# Bastion 字段加密密钥：请离线备份，丢失后加密字段无法恢复\nkey_id={next}\ncipher={}\nenc={}\nbidx={}\n",
            k.cipher.name(),
            hex::encode(fresh),
            hex::encode(self.bidx.0)
        );
        for (id, key) in &k.enc {
            text.push_str(&format!("old.{id}={}\n", hex::encode(key.0)));
        }
        let tmp = path.with_extension("keys.new");
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, &text)?;
        text.zeroize();
        std::fs::rename(&tmp, path).map_err(|e| StoreError::Crypto(format!("无法替换密钥文件：{e}")))?;
        k.enc.push((next, KeyBytes(fresh)));
        k.current = next;
        fresh.zeroize();
        Ok(next)
    }

    /// The key id a ciphertext was made with.
    pub fn key_of(blob: &[u8]) -> Option<u8> {
        blob.get(1).copied()
    }

    /// `version (algorithm) || key_id || nonce(12) || ciphertext+tag`
    pub fn encrypt(&self, plain: &str) -> StoreResult<Vec<u8>> {
        let (id, cipher) = (self.key_id(), self.cipher());
        let mut key = self.enc_key(id).ok_or_else(|| StoreError::Crypto("当前密钥缺失".into()))?;
        let nonce: [u8; 12] = Aes256Gcm::generate_nonce(&mut OsRng).into();
        let ct = seal(cipher, &key, &nonce, plain.as_bytes());
        key.zeroize();
        let ct = ct?;
        let mut out = Vec::with_capacity(2 + 12 + ct.len());
        out.push(cipher.version());
        out.push(id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn decrypt(&self, blob: &[u8]) -> StoreResult<String> {
        let cipher = blob.first().copied().and_then(Cipher::from_version);
        let Some(cipher) = cipher.filter(|_| blob.len() >= 2 + 12 + 16) else {
            return Err(StoreError::Crypto("密文格式无效".into()));
        };
        let mut key = match self.enc_key(blob[1]) {
            Some(k) => k,
            None => {
                // A key this node has not seen yet: another node rotated. Reload once.
                self.reload()?;
                self.enc_key(blob[1]).ok_or_else(|| StoreError::Crypto(format!("找不到编号为 {} 的密钥", blob[1])))?
            }
        };
        let plain = open(cipher, &key, &blob[2..14], &blob[14..]);
        key.zeroize();
        String::from_utf8(plain?).map_err(|_| StoreError::Crypto("解密结果不是 UTF-8".into()))
    }

    /// Keyed blind index of a normalised value, domain-separated by `kind` ("id", "phone").
    pub fn blind_index(&self, kind: &str, normalised: &str) -> String {
        // HMAC accepts keys of any length, so new_from_slice cannot fail here.
        let mut mac = match <Hmac<Sha256> as Mac>::new_from_slice(&self.bidx.0) {
            Ok(m) => m,
            Err(_) => return String::new(),
        };
        mac.update(kind.as_bytes());
        mac.update(b"\x00");
        mac.update(normalised.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

fn write_private(path: &Path, text: &str) -> StoreResult<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| StoreError::Crypto(format!("无法创建密钥文件 {}：{e}", path.display())))?;
    f.write_all(text.as_bytes()).map_err(|e| StoreError::Crypto(e.to_string()))?;
    f.sync_all().map_err(|e| StoreError::Crypto(e.to_string()))
}

impl crate::Store {
    /// Re-encrypt every personal number and TOTP secret not under the current key, chunk by
    /// chunk (each chunk its own short transaction, so the service keeps running). Returns
    /// the number of rows rewritten.
    pub async fn reencrypt_all(&self) -> StoreResult<i64> {
        use sqlx::Row;
        let stale = |b: &Option<Vec<u8>>| b.as_deref().is_some_and(|b| self.crypto.is_stale(b));
        let mut rewritten = 0i64;
        for (table, cols) in [("people", ["id_cipher", "mobile_cipher"]), ("accounts", ["totp_secret", "totp_secret"])]
        {
            let mut after = 0i64;
            loop {
                let sql =
                    format!("SELECT id, {}, {} FROM {table} WHERE id > $1 ORDER BY id LIMIT 500", cols[0], cols[1]);
                let rows = sqlx::query(&sql).bind(after).fetch_all(&self.read).await?;
                let Some(last) = rows.last() else { break };
                after = last.try_get("id")?;
                let mut tx = self.begin().await?;
                for r in &rows {
                    let id: i64 = r.try_get("id")?;
                    for col in cols.iter().take(if cols[0] == cols[1] { 1 } else { 2 }) {
                        let blob: Option<Vec<u8>> = r.try_get(*col)?;
                        if stale(&blob) {
                            let plain = self.crypto.decrypt(blob.as_deref().unwrap_or_default())?;
                            let fresh = self.crypto.encrypt(&plain)?;
                            sqlx::query(&format!("UPDATE {table} SET {col} = $1 WHERE id = $2"))
                                .bind(fresh)
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                            rewritten += 1;
                        }
                    }
                }
                crate::commit(tx).await?;
            }
        }
        Ok(rewritten)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper() {
        let c = Crypto::generate();
        let blob = c.encrypt("11010519491231002X").unwrap();
        assert!(!blob.windows(6).any(|w| w == b"110105"));
        assert_eq!(c.decrypt(&blob).unwrap(), "11010519491231002X");
        let mut bad = blob.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(c.decrypt(&bad).is_err());
        assert_eq!(c.blind_index("id", "x"), c.blind_index("id", "x"));
        assert_ne!(c.blind_index("id", "x"), c.blind_index("phone", "x"));
        assert_ne!(c.blind_index("id", "x"), Crypto::generate().blind_index("id", "x"));
    }

    #[test]
    fn rotation_keeps_old_ciphertexts_readable() {
        let dir = std::env::temp_dir().join(format!("bastion-rot-{}", rand::random::<u64>()));
        let path = dir.join("bastion.keys");
        let a = Crypto::load(&path).unwrap();
        let old = a.encrypt("13800001111").unwrap();
        let other_node = Crypto::load(&path).unwrap();
        assert_eq!(a.rotate_file().unwrap(), 2);
        let new = a.encrypt("13800001111").unwrap();
        assert_eq!((Crypto::key_of(&old), Crypto::key_of(&new)), (Some(1), Some(2)));
        assert_eq!(a.decrypt(&old).unwrap(), "13800001111");
        // The other node learns the new key from the file when it first meets it.
        assert_eq!(other_node.decrypt(&new).unwrap(), "13800001111");
        assert_eq!(other_node.key_id(), 2);
        assert_eq!(a.blind_index("phone", "x"), other_node.blind_index("phone", "x"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn sm4_gcm_option_and_switching_algorithm() {
        let aes = Crypto::from_keys(1, [7u8; 32], [9u8; 32]);
        let old = aes.encrypt("13800001111").unwrap();
        let sm4 = Crypto::from_keys(1, [7u8; 32], [9u8; 32]).with_cipher(Cipher::Sm4Gcm);
        let new = sm4.encrypt("13800001111").unwrap();
        assert_eq!((old[0], new[0]), (1, 2), "each ciphertext names its algorithm");
        assert_ne!(old[14..], new[14..]);
        // Both decrypt under the SM4 deployment; only the AES one is stale there.
        assert_eq!(sm4.decrypt(&old).unwrap(), "13800001111");
        assert_eq!(sm4.decrypt(&new).unwrap(), "13800001111");
        assert!(sm4.is_stale(&old) && !sm4.is_stale(&new));
        let mut bad = new.clone();
        bad[20] ^= 1;
        assert!(sm4.decrypt(&bad).is_err(), "SM4-GCM authenticates too");
        // The same blind index whatever the algorithm: lookups keep working across a switch.
        assert_eq!(aes.blind_index("phone", "x"), sm4.blind_index("phone", "x"));
        assert!(Cipher::parse("SM4").is_ok() && Cipher::parse("des").is_err());
    }

    #[test]
    fn sm4_matches_the_gbt_32907_example() {
        // GB/T 32907-2016 Appendix A.1: key = plaintext = 0123456789abcdeffedcba9876543210.
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let k = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let c = sm4::Sm4::new_from_slice(&k).unwrap();
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&k);
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    #[test]
    fn key_file_cipher_line_survives_rotation() {
        let dir = std::env::temp_dir().join(format!("bastion-sm4-{}", rand::random::<u64>()));
        let path = dir.join("bastion.keys");
        let a = Crypto::load(&path).unwrap();
        let old = a.encrypt("x").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        write_private(&path, &format!("{text}cipher=sm4-gcm\n")).unwrap();
        let b = Crypto::load(&path).unwrap();
        assert_eq!(b.cipher(), Cipher::Sm4Gcm);
        assert!(b.is_stale(&old));
        b.rotate_file().unwrap();
        let c = Crypto::load(&path).unwrap();
        assert_eq!((c.cipher(), c.key_id()), (Cipher::Sm4Gcm, 2));
        assert_eq!(c.decrypt(&old).unwrap(), "x");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn key_file_is_created_then_reused() {
        let dir = std::env::temp_dir().join(format!("bastion-key-{}", rand::random::<u64>()));
        let path = dir.join("keys").join("bastion.keys");
        let a = Crypto::load(&path).unwrap();
        let b = Crypto::load(&path).unwrap();
        assert_eq!(b.decrypt(&a.encrypt("13800001111").unwrap()).unwrap(), "13800001111");
        let _ = std::fs::remove_dir_all(dir);
    }
}
