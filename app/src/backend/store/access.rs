//! The proofs the store demands before it reads or writes a tenant's data.
//!
//! A store function that touches a tenant's data takes one of these, never a bare id: a
//! [`Tenant`] for an instance's rows (from an `InstanceDoc`, which only the instance store's
//! finders make, through a [`Scope`]), an [`Owner`] for a person's own rows, a [`Scope`] for
//! lookups and lists, [`Everyone`] for the admin's views across tenants and [`System`] for the
//! engine's queues. Each is built only from a proof of who is asking: a [`SignedIn`] caller
//! (their own data), an admin among them (everyone's), or the engine and the scheduled jobs.
//! A caller therefore cannot forget the check: without the proof the call does not compile.
use super::mongo::instances::InstanceDoc;
use crate::backend::auth::SignedIn;
use crate::domain::id::UserId;
use mongodb::bson::oid::ObjectId;

/// Whose data a list or a lookup may reach.
#[derive(Clone, Debug)]
pub struct Scope {
    reach: Reach,
}

#[derive(Clone, Debug)]
enum Reach {
    /// Only this person's; anyone else's looks missing.
    Owner(ObjectId),
    /// Everyone's: admins, and the engine.
    Everyone,
}

impl Scope {
    /// The caller's own data, what every user page and every API key reaches (an admin's too).
    pub fn own(who: &SignedIn) -> Self {
        Self { reach: Reach::Owner(who.user_id()) }
    }

    /// Everyone's data, only for a person signed in as an admin (never through an API key).
    pub fn everyone(who: &SignedIn) -> Option<Self> {
        Everyone::admin(who).map(Self::all)
    }

    /// Everyone's data, with the proof.
    pub fn all(_: Everyone) -> Self {
        Self { reach: Reach::Everyone }
    }

    /// Everyone's for an admin, the caller's own otherwise: pages that show both.
    pub fn of(who: &SignedIn) -> Self {
        Self::everyone(who).unwrap_or_else(|| Self::own(who))
    }

    /// Everyone's, for the engine and the scheduled jobs.
    pub fn system(_: &System) -> Self {
        Self { reach: Reach::Everyone }
    }

    /// The one person this scope is limited to; `None` reaches everyone.
    pub fn owner(&self) -> Option<ObjectId> {
        match self.reach {
            Reach::Owner(id) => Some(id),
            Reach::Everyone => None,
        }
    }
}

/// Proof that the caller may see everyone's data: an admin signed in in person, or the system.
#[derive(Clone, Copy, Debug)]
pub struct Everyone(());

impl Everyone {
    pub fn admin(who: &SignedIn) -> Option<Self> {
        who.is_admin().then_some(Self(()))
    }
}

/// Proof that the engine or a scheduled job is acting, for every tenant. `System::ACTING` is
/// written only there (and in the operator's command line); a test holds every other module to it.
#[derive(Clone, Copy, Debug)]
pub struct System(());

impl System {
    pub const ACTING: System = System(());

    /// A person's action on an instance they were granted (a reply typed by hand), handed to the
    /// engine's queues, which serve every tenant.
    pub fn handoff(_: &InstanceDoc) -> System {
        System(())
    }

    /// The admin's views, for the operator's command line.
    pub fn everyone(&self) -> Everyone {
        Everyone(())
    }

    /// One instance's data, named by id: the engine's work carries ids it stored itself.
    pub fn tenant<'a>(&self, instance_id: &'a str) -> Tenant<'a> {
        Tenant(instance_id)
    }

    /// One person's rows, named by id: notices and mail the jobs send to an owner.
    pub fn owner<'a>(&self, user_id: &'a UserId) -> Owner<'a> {
        Owner(user_id)
    }
}

/// One instance's data in PostgreSQL, with the proof that the caller may reach it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tenant<'a>(&'a str);

impl<'a> Tenant<'a> {
    /// Only `InstanceDoc::tenant` calls this, with the id of a document a finder granted.
    pub(super) fn granted(instance_id: &'a str) -> Self {
        Self(instance_id)
    }

    /// The instance id the rows carry.
    pub fn id(self) -> &'a str {
        self.0
    }
}

/// One person's own rows (keys, notifications, preferences), with the proof that the caller is
/// that person or the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Owner<'a>(&'a UserId);

impl<'a> Owner<'a> {
    /// The rows of the person signed in.
    pub fn of(who: &'a SignedIn) -> Self {
        Owner(who.id())
    }

    /// The user id the rows carry.
    pub fn id(self) -> &'a UserId {
        self.0
    }
}
