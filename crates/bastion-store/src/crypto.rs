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
    /// The audit MAC key new records use (0: the key derived from the blind-index key, used by
    /// key files written before audit keys existed).
    audit_current: u8,
    /// Audit MAC keys by id (1, 2, …): the current one and the retired ones, still verifying.
    audit: Vec<(u8, KeyBytes)>,
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
                audit_current: 0,
                audit: Vec::new(),
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
            let c = Self::from_keys(1, parse_hex32("BASTION_ENC_KEY", &enc)?, parse_hex32("BASTION_BIDX_KEY", &bidx)?);
            if let Ok(audit) = std::env::var("BASTION_AUDIT_KEY") {
                let id: u8 = match std::env::var("BASTION_AUDIT_KEY_ID") {
                    Ok(v) => v.trim().parse().map_err(|_| StoreError::Crypto("BASTION_AUDIT_KEY_ID 无效".into()))?,
                    Err(_) => 1,
                };
                if id == 0 {
                    return Err(StoreError::Crypto("BASTION_AUDIT_KEY_ID 须为 1–255".into()));
                }
                let key = parse_hex32("BASTION_AUDIT_KEY", &audit)?;
                if let Ok(mut k) = c.keys.write() {
                    k.audit.push((id, KeyBytes(key)));
                    k.audit_current = id;
                }
            }
            return Ok(c);
        }
        if key_file.exists() {
            let mut c = Self::read_file(key_file)?;
            c.file = Some(key_file.to_path_buf());
            return Ok(c);
        }
        let mut c = Self::generate();
        if let Some(dir) = key_file.parent() {
            crate::db::create_private_dir(dir).map_err(|e| StoreError::Crypto(e.to_string()))?;
        }
        {
            let mut k = c.keys.write().map_err(|_| StoreError::Crypto("密钥锁失效".into()))?;
            let mut audit = [0u8; 32];
            OsRng.fill_bytes(&mut audit);
            k.audit.push((1, KeyBytes(audit)));
            k.audit_current = 1;
            audit.zeroize();
            let mut text = c.file_text(&k);
            write_private(key_file, &text)?;
            text.zeroize();
        }
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

    /// The key file's text: every key, current and retired.
    fn file_text(&self, k: &Keys) -> String {
        let mut text = format!(
            "# Bastion 字段加密与审计密钥：请离线备份，丢失后加密字段无法恢复、审计记录无法校验\nkey_id={}\ncipher={}\n",
            k.current,
            k.cipher.name()
        );
        for (id, key) in &k.enc {
            if *id == k.current {
                text.push_str(&format!("enc={}\n", hex::encode(key.0)));
            }
        }
        text.push_str(&format!("bidx={}\n", hex::encode(self.bidx.0)));
        for (id, key) in &k.enc {
            if *id != k.current {
                text.push_str(&format!("old.{id}={}\n", hex::encode(key.0)));
            }
        }
        if k.audit_current != 0 {
            text.push_str(&format!("audit_key_id={}\n", k.audit_current));
        }
        for (id, key) in &k.audit {
            if *id == k.audit_current {
                text.push_str(&format!("audit={}\n", hex::encode(key.0)));
            } else {
                text.push_str(&format!("audit.old.{id}={}\n", hex::encode(key.0)));
            }
        }
        text
    }

    /// Replace the key file atomically with the keys in `k`.
    fn write_file(&self, path: &Path, k: &Keys) -> StoreResult<()> {
        let mut text = self.file_text(k);
        let tmp = path.with_extension("keys.new");
        let _ = std::fs::remove_file(&tmp);
        let written = write_private(&tmp, &text);
        text.zeroize();
        written?;
        std::fs::rename(&tmp, path).map_err(|e| StoreError::Crypto(format!("无法替换密钥文件：{e}")))
    }

    /// `key_id=N`, `enc=HEX` (current), `old.M=HEX` (retired, still decrypting), `bidx=HEX`,
    /// optional `cipher=aes-256-gcm|sm4-gcm`; audit MAC keys `audit_key_id=N`, `audit=HEX`
    /// (current), `audit.old.M=HEX` (retired, still verifying). Without audit lines (files written
    /// before audit keys existed) the audit key is derived from the blind-index key, as key 0.
    fn parse_file(text: &str) -> StoreResult<Self> {
        let mut key_id = 1u8;
        let mut cipher = Cipher::Aes256Gcm;
        let (mut enc, mut bidx) = (None, None);
        let mut old = Vec::new();
        let (mut audit_id, mut audit, mut audit_old) = (None, None, Vec::new());
        for line in text.lines().map(str::trim).filter(|l| !l.starts_with('#')) {
            if let Some(v) = line.strip_prefix("audit_key_id=") {
                audit_id = Some(
                    v.parse::<u8>()
                        .ok()
                        .filter(|i| *i > 0)
                        .ok_or_else(|| StoreError::Crypto("audit_key_id 无效（应为 1–255）".into()))?,
                );
            } else if let Some(v) = line.strip_prefix("audit=") {
                audit = Some(KeyBytes(parse_hex32("audit", v)?));
            } else if let Some((id, v)) = line.strip_prefix("audit.old.").and_then(|r| r.split_once('=')) {
                let id: u8 = id.parse().map_err(|_| StoreError::Crypto("audit.old.N 的 N 无效".into()))?;
                audit_old.push((id, KeyBytes(parse_hex32("audit.old", v)?)));
            } else if let Some(v) = line.strip_prefix("key_id=") {
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
                    k.audit = audit_old;
                    match (audit_id, audit) {
                        (Some(id), Some(key)) => {
                            k.audit.push((id, key));
                            k.audit_current = id;
                        }
                        (None, None) => {}
                        _ => return Err(StoreError::Crypto("密钥文件的 audit_key_id= 与 audit= 须同时出现".into())),
                    }
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
        mine.audit_current = theirs.audit_current;
        mine.audit = std::mem::take(&mut theirs.audit);
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
        let previous = k.current;
        k.enc.push((next, KeyBytes(fresh)));
        k.current = next;
        fresh.zeroize();
        if let Err(e) = self.write_file(path, &k) {
            k.current = previous;
            k.enc.retain(|(i, _)| *i != next);
            return Err(e);
        }
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

    /// The id of the audit MAC key new records use.
    pub fn audit_key_id(&self) -> u8 {
        self.keys.read().map(|k| k.audit_current).unwrap_or(0)
    }

    fn audit_key(&self, id: u8) -> Option<[u8; 32]> {
        if id == 0 {
            let mut out = [0u8; 32];
            let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.bidx.0).ok()?;
            m.update(b"bastion-audit-key\x00");
            out.copy_from_slice(&m.finalize().into_bytes());
            return Some(out);
        }
        let k = self.keys.read().ok()?;
        k.audit.iter().find(|(i, _)| *i == id).map(|(_, b)| b.0)
    }

    fn hmac_hex(key: &[u8; 32], msg: &[u8]) -> String {
        match <Hmac<Sha256> as Mac>::new_from_slice(key) {
            Ok(mut m) => {
                m.update(msg);
                hex::encode(m.finalize().into_bytes())
            }
            Err(_) => String::new(),
        }
    }

    /// HMAC-SHA256 of `msg` under the current audit key: (key id, MAC in hex).
    pub fn audit_mac(&self, msg: &[u8]) -> StoreResult<(u8, String)> {
        let id = self.audit_key_id();
        let mut key = self.audit_key(id).ok_or_else(|| StoreError::Crypto("当前审计密钥缺失".into()))?;
        let mac = Self::hmac_hex(&key, msg);
        key.zeroize();
        Ok((id, mac))
    }

    /// Does `mac` authenticate `msg` under audit key `id`? `None` when this deployment does not
    /// hold that key (after re-reading the key file once).
    pub fn audit_mac_matches(&self, id: u8, msg: &[u8], mac: &str) -> Option<bool> {
        let mut key = match self.audit_key(id) {
            Some(k) => k,
            None => {
                let _ = self.reload();
                self.audit_key(id)?
            }
        };
        let want = Self::hmac_hex(&key, msg);
        key.zeroize();
        // Compare without an early exit.
        let (a, b) = (want.as_bytes(), mac.as_bytes());
        Some(a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0)
    }

    /// Make a new current audit MAC key and keep the old ones for verification (key file only).
    /// Returns the new key id.
    pub fn rotate_audit_key(&self) -> StoreResult<u8> {
        let Some(path) = &self.file else {
            return Err(StoreError::Crypto(
                "审计密钥来自环境变量：请在部署处设置新的 BASTION_AUDIT_KEY 与 BASTION_AUDIT_KEY_ID".into(),
            ));
        };
        self.reload()?;
        let mut k = self.keys.write().map_err(|_| StoreError::Crypto("密钥锁失效".into()))?;
        let next = k
            .audit
            .iter()
            .map(|(i, _)| *i)
            .max()
            .unwrap_or(0)
            .checked_add(1)
            .ok_or_else(|| StoreError::Crypto("审计密钥编号已用尽".into()))?;
        let mut fresh = [0u8; 32];
        OsRng.fill_bytes(&mut fresh);
        let previous = k.audit_current;
        k.audit.push((next, KeyBytes(fresh)));
        k.audit_current = next;
        fresh.zeroize();
        if let Err(e) = self.write_file(path, &k) {
            k.audit_current = previous;
            k.audit.retain(|(i, _)| *i != next);
            return Err(e);
        }
        Ok(next)
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

    /// A message authentication code for signed links and tokens, under a key derived from the
    /// blind-index key and `purpose` (so a code made for one purpose never verifies for another).
    /// The blind-index key survives encryption-key rotation, so links stay valid across it.
    pub fn mac(&self, purpose: &str, msg: &[u8]) -> [u8; 32] {
        let derive = |key: &[u8], data: &[&[u8]]| -> [u8; 32] {
            let mut out = [0u8; 32];
            if let Ok(mut m) = <Hmac<Sha256> as Mac>::new_from_slice(key) {
                for d in data {
                    m.update(d);
                }
                out.copy_from_slice(&m.finalize().into_bytes());
            }
            out
        };
        let mut sub = derive(&self.bidx.0, &[b"bastion-mac\x00", purpose.as_bytes()]);
        let out = derive(&sub, &[msg]);
        sub.zeroize();
        out
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
        // (table, key column, key is text, encrypted columns)
        const ENCRYPTED: &[(&str, &str, bool, &[&str])] = &[
            ("people", "id", false, &["id_cipher", "mobile_cipher"]),
            ("accounts", "id", false, &["totp_secret"]),
            ("screenings", "id", true, &["doc_cipher", "phone_cipher"]),
            ("self_registrations", "code", true, &["payload"]),
        ];
        for (table, key, text_key, cols) in ENCRYPTED {
            let (mut after_int, mut after_text) = (i64::MIN, String::new());
            loop {
                let sql =
                    format!("SELECT {key}, {} FROM {table} WHERE {key} > $1 ORDER BY {key} LIMIT 500", cols.join(", "));
                let q = sqlx::query(&sql);
                let q = if *text_key { q.bind(after_text.clone()) } else { q.bind(after_int) };
                let rows = q.fetch_all(&self.read).await?;
                let Some(last) = rows.last() else { break };
                if *text_key {
                    after_text = last.try_get(*key)?;
                } else {
                    after_int = last.try_get(*key)?;
                }
                let mut tx = self.begin().await?;
                for r in &rows {
                    for col in cols.iter() {
                        let blob: Option<Vec<u8>> = r.try_get(*col)?;
                        if stale(&blob) {
                            let plain = self.crypto.decrypt(blob.as_deref().unwrap_or_default())?;
                            let fresh = self.crypto.encrypt(&plain)?;
                            let sql = format!("UPDATE {table} SET {col} = $1 WHERE {key} = $2");
                            let update = sqlx::query(&sql).bind(fresh);
                            let update = if *text_key {
                                update.bind(r.try_get::<String, _>(*key)?)
                            } else {
                                update.bind(r.try_get::<i64, _>(*key)?)
                            };
                            update.execute(&mut *tx).await?;
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
    fn macs_are_keyed_and_purpose_bound() {
        let c = Crypto::generate();
        assert_eq!(c.mac("recall", b"1.2"), c.mac("recall", b"1.2"));
        assert_ne!(c.mac("recall", b"1.2"), c.mac("other", b"1.2"));
        assert_ne!(c.mac("recall", b"1.2"), c.mac("recall", b"1.3"));
        assert_ne!(c.mac("recall", b"1.2"), Crypto::generate().mac("recall", b"1.2"));
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
    fn audit_keys_rotate_and_old_ones_still_verify() {
        let dir = std::env::temp_dir().join(format!("bastion-audit-{}", rand::random::<u64>()));
        let path = dir.join("bastion.keys");
        let a = Crypto::load(&path).unwrap();
        let (id1, mac1) = a.audit_mac(b"record").unwrap();
        assert_eq!(id1, 1, "a new key file has its own audit key");
        let other_node = Crypto::load(&path).unwrap();
        assert_eq!(a.rotate_audit_key().unwrap(), 2);
        assert_eq!(a.rotate_file().unwrap(), 2, "rotating the field key keeps the audit keys");
        let (id2, mac2) = a.audit_mac(b"record").unwrap();
        assert_eq!(id2, 2);
        assert_ne!(mac1, mac2);
        let fresh = Crypto::load(&path).unwrap();
        assert_eq!(fresh.audit_mac_matches(1, b"record", &mac1), Some(true));
        assert_eq!(fresh.audit_mac_matches(1, b"recorD", &mac1), Some(false));
        assert_eq!(other_node.audit_mac_matches(2, b"record", &mac2), Some(true), "learnt from the file");
        assert_eq!(fresh.audit_mac_matches(9, b"record", &mac2), None);
        // A key file from before audit keys: key 0, derived from the blind-index key.
        let old = Crypto::from_keys(1, [7u8; 32], [9u8; 32]);
        let (id0, mac0) = old.audit_mac(b"x").unwrap();
        assert_eq!(id0, 0);
        assert_eq!(Crypto::from_keys(1, [1u8; 32], [9u8; 32]).audit_mac_matches(0, b"x", &mac0), Some(true));
        assert_eq!(Crypto::from_keys(1, [7u8; 32], [8u8; 32]).audit_mac_matches(0, b"x", &mac0), Some(false));
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
