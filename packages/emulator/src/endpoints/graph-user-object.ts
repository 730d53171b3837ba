import type { User } from '../directory/model.js';

/**
 * A Graph `user` with the properties Graph returns by default (user-get: businessPhones, displayName,
 * givenName, id, jobTitle, mail, mobilePhone, officeLocation, preferredLanguage, surname, userPrincipalName),
 * or the basic profile only (displayName, givenName, mail, surname, userPrincipalName, and id), which is all
 * User.ReadBasic.All lets an app read of other users.
 */
export function graphUserObject(user: User, view: 'full' | 'basic'): Record<string, unknown> {
  if (view === 'basic') {
    return {
      displayName: user.displayName,
      givenName: user.givenName,
      mail: user.mail,
      surname: user.surname,
      userPrincipalName: user.username,
      id: user.id,
    };
  }
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.username,
    id: user.id,
  };
}
